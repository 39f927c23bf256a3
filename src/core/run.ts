/**
 * A block made ready to run: its options validated into a plan, once, at definition time, so bad
 * options fail fast. Shared by every host (`run()`, perf blocks and scenarios under Vitest and Jest,
 * `loadspec run`); running it is the harness's job (src/harness), which may use the worker pool.
 */
import { normalizeOptions } from './normalize.ts'
import type { PerfOptions, VuFunction } from './options.ts'
import type { RunPlan } from './plan.ts'
import type { ParsedThreshold } from '../metrics/thresholds.ts'
import { modulePathOf, modulePlaceholder } from './module-fn.ts'
import type { SegmentChoice } from './segment-choice.ts'
import { executorDurationMs } from './plan.ts'
import { planFaults, type PlannedFault } from '../services/faults.ts'
import { serviceNames } from '../harness/shared-services.ts'

export type RunOptions<D = unknown> = PerfOptions<D> & {
  /** Name of the run in results and reports. @default 'run' */
  name?: string
  /**
   * What each VU does (or give every `scenarios` entry an `fn`): a function, or the path or file
   * URL of a module whose default export is the function (needed for `workers` ≥ 1 here).
   */
  fn?: VuFunction<D> | string | URL
  /** Profile to apply; defaults to LOADSPEC_PROFILE. */
  profile?: string
  /**
   * Epoch ms at which the load starts (after setup), so shards on several machines line up;
   * a time already past starts at once.
   */
  startAt?: number
} & SegmentChoice

/** Validated form of a block, made once at definition time so bad options fail fast. */
export interface PreparedBlock {
  readonly plan: RunPlan
  readonly thresholds: readonly ParsedThreshold[]
  /** Set when the VU function is a module's default export. */
  readonly modulePath: string | null
  /** The block's faults (its profile's, when that sets them), checked against its services and its load's length. */
  readonly faults: readonly PlannedFault[]
}

export function prepare(name: string, options: PerfOptions<unknown>, fn: VuFunction<unknown> | string | URL | undefined, kind: string, profile?: string,
  segment?: SegmentChoice): PreparedBlock {
  const modulePath = modulePathOf(fn)
  const plan = normalizeOptions(name, options, modulePath ? modulePlaceholder : (fn as VuFunction<unknown> | undefined), { kind, profile, segment })
  // normalize parsed the thresholds the profile chose and checked them against built-in metrics.
  return { plan, thresholds: plan.thresholds, modulePath, faults: blockFaults(plan, options) }
}

/** Faults are checked here, at definition, so one past the end of the load or naming an undeclared service fails before any load. */
function blockFaults(plan: RunPlan, options: PerfOptions<unknown>): PlannedFault[] {
  const fromProfile = plan.profile === null ? undefined : options.profiles?.[plan.profile]?.faults
  const loadMs = Math.max(...plan.units.map((u) => u.startTimeMs + executorDurationMs(u.executor)))
  return planFaults(fromProfile ?? options.faults, serviceNames(options.services), loadMs)
}
