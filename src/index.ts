/**
 * loadspec, runner-free: `run(options)` generates load and returns a PerfResult. The Vitest and Jest
 * integrations live in `loadspec/vitest` and `loadspec/jest`.
 */
export { run, type RunOptions } from './harness/run.ts'
export type {
  PerfOptions, VuFunction, Thresholds, Stage, Duration, ExecutorOptions, ExecutorName, UserTypeOptions, ProfileOptions, HttpOptions,
} from './core/options.ts'
export type { VuContext, CustomMetrics } from './core/context.ts'
export type { HttpClient, HttpRequestOptions, HttpResponse } from './drivers/http.ts'
export type { GrpcVuClient, GrpcServiceClient, GrpcClientOptions, GrpcCallOptions, GrpcResponse, GrpcStream } from './drivers/grpc.ts'
export type { WsClient, WsSession, WsMessage, WsConnectOptions, Fanout, FanoutOptions, FanoutEvent } from './drivers/ws.ts'
export { PerfResult, MetricView, type TimelinePoint } from './metrics/result.ts'
export type { TrendSummary, CounterSummary, RateSummary, GaugeSummary, MetricSummary } from './metrics/summary.ts'
export type { ResultData, ThresholdResult } from './metrics/result-data.ts'
export { aggregate } from './metrics/aggregate-results.ts'
export { parseDuration } from './core/duration.ts'
export {
  LoadspecError, InvalidOptionError, InvalidThresholdError, ThresholdsFailedError, SetupError, HttpRequestError, WorkerFailedError,
  AbortedError, BaselineError, UsageError, ClosedError, MetricTypeError, InvalidResultError, DefinitionError, MatcherUsageError, CliError, ServiceError,
  ERROR_CODES, loadspecError, isLoadspecError, isLoadspecErrorCode, type LoadspecErrorCode, type LoadspecErrorOptions,
} from './errors.ts'
export {
  container, processService, startServices, probeContainerRuntime, RUN_ID_LABEL,
  type ContainerOptions, type ProcessOptions, type ReadyCheck, type ServiceAction, type ServiceActionResult, type ServiceAddress,
  type ServiceCommonOptions, type ServiceDefinition, type ServiceSet, type StartServicesOptions,
} from './services/index.ts'
export { FaultProxyError } from './errors.ts'
export { sharedServices, type SharedServices, type SharedServicesOptions, type ServicesOption } from './harness/shared-services.ts'
export type { FaultSpec } from './services/faults.ts'
export type { ServiceAddresses } from './core/options.ts'
export type { FaultPhaseView, FaultPhaseKey } from './metrics/result.ts'
export { startFaultProxy, parseToxic, TOXIC_TYPES } from './services/proxy/index.ts'
export type { FaultProxy, FaultProxyOptions, FaultProxyStats, ToxicSpec, Toxic, ToxicType } from './services/proxy/index.ts'
