/**
 * The validated, normalised form of a block's options: numbers in ms and per-second rates, profile
 * and scale applied, user types resolved. Executors and workers read only this.
 */
import type { VuFunction } from './options.ts'
import type { ChosenSegment } from './segment-choice.ts'
import type { ParsedThreshold } from '../metrics/thresholds.ts'

export interface StagePlan {
  readonly durationMs: number
  /** VUs, or iterations per second for arrival-rate executors. */
  readonly target: number
}

export type ExecutorPlan =
  | { readonly kind: 'constant-vus'; readonly vus: number; readonly durationMs: number }
  | { readonly kind: 'ramping-vus'; readonly startVUs: number; readonly stages: readonly StagePlan[]; readonly gracefulRampDownMs: number }
  | { readonly kind: 'constant-arrival-rate'; readonly ratePerSec: number; readonly durationMs: number; readonly preAllocatedVUs: number; readonly maxVUs: number }
  | { readonly kind: 'ramping-arrival-rate'; readonly startRatePerSec: number; readonly stages: readonly StagePlan[]; readonly preAllocatedVUs: number; readonly maxVUs: number }
  | { readonly kind: 'per-vu-iterations'; readonly vus: number; readonly iterations: number; readonly maxDurationMs: number }
  | { readonly kind: 'shared-iterations'; readonly vus: number; readonly iterations: number; readonly maxDurationMs: number }

export interface UserTypePlan {
  /** The `scenario` tag of everything this user type records. */
  readonly name: string
  readonly weight: number
  readonly fn: VuFunction<unknown>
  readonly pacingMs: number | null
  readonly tags: Readonly<Record<string, string>>
}

/** One executor with the user types that share its VUs. */
export interface UnitPlan {
  readonly name: string
  readonly executor: ExecutorPlan
  readonly startTimeMs: number
  readonly gracefulStopMs: number
  readonly userTypes: readonly UserTypePlan[]
  /** First global VU id of this unit minus one (VU ids are unique across units and workers). */
  readonly vuIdOffset: number
}

export interface RunPlan {
  readonly name: string
  readonly units: readonly UnitPlan[]
  readonly http: { readonly timeoutMs: number; readonly discardResponseBodies: boolean; readonly baseUrl: string | undefined }
  readonly tags: Readonly<Record<string, string>>
  /** The profile that was applied, if any. */
  readonly profile: string | null
  readonly scale: number
  /** `workers` as written: threads to run the load in (0 = the caller's thread). */
  readonly workers: number | 'auto' | undefined
  /** Planned length including start times and graceful stops: the basis of a perf block's timeout. */
  readonly maxDurationMs: number
  /** The share of the load this process makes (the whole, unless sharded over machines). */
  readonly segment: ChosenSegment
  /** The thresholds (the profile's, when it sets them), parsed; those on built-in metrics fit their types. */
  readonly thresholds: readonly ParsedThreshold[]
}

/** Most VUs a unit can have at once (for VU ids and vus_max). */
export function unitMaxVUs(e: ExecutorPlan): number {
  switch (e.kind) {
    case 'constant-vus': case 'per-vu-iterations': case 'shared-iterations': return e.vus
    case 'ramping-vus': return Math.max(e.startVUs, ...e.stages.map((s) => s.target))
    case 'constant-arrival-rate': case 'ramping-arrival-rate': return e.maxVUs
  }
}

/** Length of the load itself, without gracefulStop. */
export function executorDurationMs(e: ExecutorPlan): number {
  switch (e.kind) {
    case 'constant-vus': case 'constant-arrival-rate': return e.durationMs
    case 'ramping-vus': case 'ramping-arrival-rate': return e.stages.reduce((a, s) => a + s.durationMs, 0)
    case 'per-vu-iterations': case 'shared-iterations': return e.maxDurationMs
  }
}
