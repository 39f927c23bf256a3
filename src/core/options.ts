/**
 * The options a user writes for `perf()`, `scenario()` and `run()`: k6 executor names and fields.
 * Validated at runtime by `options-schema.ts`; these types give editors the same rules.
 */
import type { Duration } from './duration.ts'
import type { VuContext } from './context.ts'
import type { ThresholdSpec } from '../metrics/thresholds.ts'
import type { ServiceAddress } from '../services/types.ts'
import type { FaultSpec } from '../services/faults.ts'
import type { ServicesOption } from '../harness/shared-services.ts'

/** Where each service of a block is reached, by name (through its fault proxy when a toxic names it). */
export type ServiceAddresses = Readonly<Record<string, ServiceAddress>>

export type { Duration }

/** The function each VU runs once per iteration. */
export type VuFunction<D = unknown> = (ctx: VuContext<D>) => void | Promise<void>

/** k6 thresholds: metric key (optionally with a tag filter) → expressions. */
export type Thresholds = Record<string, ThresholdSpec | readonly ThresholdSpec[]>

export interface Stage {
  /** How long this stage lasts. */
  duration: Duration
  /** VUs (ramping-vus) or iterations per timeUnit (ramping-arrival-rate) at the end of the stage. */
  target: number
}

/** Fields every executor accepts. */
export interface ExecutorCommon {
  /** Time in-flight iterations get to finish after the load ends, before they are interrupted. @default '30s' */
  gracefulStop?: Duration
  /** Delay before this scenario starts (independent scenarios). @default 0 */
  startTime?: Duration
}

export interface ConstantVusOptions extends ExecutorCommon {
  executor: 'constant-vus'
  vus: number
  /** Longer than 0. */
  duration: Duration
}
export interface RampingVusOptions extends ExecutorCommon {
  executor: 'ramping-vus'
  /** @default 1 */
  startVUs?: number
  /** At least one, lasting more than 0 ms in all; startVUs or some target above 0. */
  stages: Stage[]
  /** Time a VU removed by a ramp-down gets to finish its iteration. @default '30s' */
  gracefulRampDown?: Duration
}
export interface ConstantArrivalRateOptions extends ExecutorCommon {
  executor: 'constant-arrival-rate'
  /** Iterations started per `timeUnit` (more than 0). */
  rate: number
  /** Longer than 0. @default '1s' */
  timeUnit?: Duration
  /** Longer than 0. */
  duration: Duration
  preAllocatedVUs: number
  /** @default preAllocatedVUs */
  maxVUs?: number
}
export interface RampingArrivalRateOptions extends ExecutorCommon {
  executor: 'ramping-arrival-rate'
  /** @default 0 */
  startRate?: number
  /** Longer than 0. @default '1s' */
  timeUnit?: Duration
  /** At least one, lasting more than 0 ms in all; startRate or some target above 0. */
  stages: Stage[]
  preAllocatedVUs: number
  /** @default preAllocatedVUs */
  maxVUs?: number
}
export interface PerVuIterationsOptions extends ExecutorCommon {
  executor: 'per-vu-iterations'
  /** @default 1 */
  vus?: number
  /** Iterations each VU runs. @default 1 */
  iterations?: number
  /** Longer than 0. @default '10m' */
  maxDuration?: Duration
}
export interface SharedIterationsOptions extends ExecutorCommon {
  executor: 'shared-iterations'
  /** @default 1 */
  vus?: number
  /** Iterations shared by all VUs. @default 1 */
  iterations?: number
  /** Longer than 0. @default '10m' */
  maxDuration?: Duration
}

export type ExecutorOptions =
  | ConstantVusOptions | RampingVusOptions | ConstantArrivalRateOptions
  | RampingArrivalRateOptions | PerVuIterationsOptions | SharedIterationsOptions

export type ExecutorName = ExecutorOptions['executor']

/** Sizing fields without the discriminant: what profiles and overrides may set. */
export type ExecutorFields = Partial<Omit<ConstantVusOptions, 'executor'> & Omit<RampingVusOptions, 'executor'> &
  Omit<ConstantArrivalRateOptions, 'executor'> & Omit<RampingArrivalRateOptions, 'executor'> &
  Omit<PerVuIterationsOptions, 'executor'>> & { executor?: ExecutorName }

/** One user type (Locust's User class) or one independent k6 scenario. */
export interface UserTypeOptions<D = unknown> extends ExecutorFields {
  /** Share of the block's VUs (or iterations) this user type gets, as Locust's `weight`. @default 1 */
  weight?: number
  /** What this user type does; defaults to the block's function. */
  fn?: VuFunction<D>
  /** Start an iteration at most every `pacing` (constant throughput per VU, Locust's constant_pacing). */
  pacing?: Duration
  /** Extra tags on every metric this user type records. */
  tags?: Record<string, string>
}

export interface HttpOptions {
  /** Per-request timeout (longer than 0). @default '60s' */
  timeout?: Duration
  /** Count response bytes but do not keep bodies (k6's discardResponseBodies). @default false */
  discardResponseBodies?: boolean
  /** Base for relative URLs (`http.get('/health')`): an absolute http:// or https:// URL. */
  baseUrl?: string
}

/** Options that are not about the load shape. */
export interface BlockOptions<D = unknown> {
  thresholds?: Thresholds
  /**
   * Runs once before the load on the caller's thread (after the services are ready, with their
   * addresses); its JSON-safe result is `data` in every VU.
   */
  setup?: (services: ServiceAddresses) => D | Promise<D>
  /**
   * Called about once a second on the caller's thread with the live result so far (merged over
   * workers): print periodic statistics, watch a metric. Must not throw.
   */
  onProgress?: (live: import('../metrics/result.ts').PerfResult) => void
  /** Runs once after the load with the setup data (also after a failed or aborted run). */
  teardown?: (data: D, services: ServiceAddresses) => void | Promise<void>
  /**
   * Named option sets chosen by `LOADSPEC_PROFILE` or the plugin's `profile` option. A block that
   * has profiles must define the one chosen (`full: {}` runs the block's own options); a block
   * without profiles runs its own options whatever the profile.
   * @throws InvalidOptionError when the chosen profile is not one of these
   */
  profiles?: Record<string, ProfileOptions<D>>
  /** Several user types (weighted) or independent k6 scenarios. */
  scenarios?: Record<string, UserTypeOptions<D>>
  /** Start an iteration at most every `pacing` per VU. */
  pacing?: Duration
  http?: HttpOptions
  /** Extra tags on every metric. */
  tags?: Record<string, string>
  /** Test timeout of a perf block (longer than 0). @default load length + gracefulStop + 30s */
  timeout?: Duration
  /** Data for the VUs when there is no `setup` (or in `scenario.run({ data })`). */
  data?: D
  /** Stop the load when this signal aborts. */
  signal?: AbortSignal
  /**
   * Threads that generate the load: a number, `'auto'` (every core this process may use), or 0 for
   * the caller's own thread (debugging). Perf blocks and scenarios default to 1; `run()` to 0.
   */
  workers?: number | 'auto'
  /**
   * Services started before `setup` and stopped after `teardown` (also on failure and abort):
   * `{ api: processService(…), db: container(…) }`, or a `sharedServices()` handle several blocks use.
   * Without `setup` and `data`, the VUs' `data` is `{ services }` (their addresses).
   */
  services?: ServicesOption
  /**
   * Faults applied while the load runs, at their time after its start:
   * `[{ at: '10s', service: 'api', action: 'kill', for: '5s' }, { at: '20s', for: '5s', service: 'db', toxic: { type: 'latency', latency: 100 } }]`.
   * Checked before any load; a service a toxic names is reached through a fault proxy.
   */
  faults?: FaultSpec[]
}

/** What a profile may change: sizing, thresholds and per-user-type sizing. */
export type ProfileOptions<D = unknown> = ExecutorFields & Pick<BlockOptions<D>, 'thresholds' | 'pacing' | 'http' | 'timeout' | 'workers' | 'faults'> & {
  scenarios?: Record<string, Omit<UserTypeOptions<D>, 'fn'>>
}

/** Options of a perf block, a scenario, or `run()`. The executor may be left out, as in k6. */
export type PerfOptions<D = unknown> = BlockOptions<D> & (ExecutorOptions | ExecutorFields)
