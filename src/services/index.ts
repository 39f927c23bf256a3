/**
 * Services started for a run: containers (testcontainers) and child processes behind one
 * interface, with readiness checks, fault actions, and cleanup that survives a killed process.
 * The harness calls `startServices()` before `setup()` and `stopAll()` after `teardown()`
 * (docs/services.md).
 */
export { container, processService } from './definitions.ts'
export { startServices } from './service-set.ts'
export { probeContainerRuntime } from './testcontainers-package.ts'
export { RUN_ID_LABEL } from './container-service.ts'
export type {
  ContainerOptions, ProcessOptions, ReadyCheck, ServiceAction, ServiceActionResult, ServiceAddress, ServiceCommonOptions, ServiceDefinition,
  ServiceSet, StartServicesOptions,
} from './types.ts'
