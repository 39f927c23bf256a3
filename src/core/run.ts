/**
 * `run()`: load with no test runner. Validates, runs setup → load → teardown on this thread and
 * returns the PerfResult; breached thresholds are in `result.thresholds`, not thrown.
 */
import type { PerfResult } from '../metrics/result.ts'
import { execute } from './execute.ts'
import { normalizeOptions } from './normalize.ts'
import type { PerfOptions, VuFunction } from './options.ts'
import type { RunPlan } from './plan.ts'
import type { ParsedThreshold } from '../metrics/thresholds.ts'
import { InvalidOptionError } from '../errors.ts'
import { modulePathOf, modulePlaceholder, moduleRunner } from '../pool/module-scenario.ts'
import { resolveWorkers } from '../pool/run-pool.ts'
import type { SegmentChoice } from './segment-choice.ts'

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
}

export function prepare(name: string, options: PerfOptions<unknown>, fn: VuFunction<unknown> | string | URL | undefined, kind: string, profile?: string,
  segment?: SegmentChoice): PreparedBlock {
  const modulePath = modulePathOf(fn)
  const plan = normalizeOptions(name, options, modulePath ? modulePlaceholder : (fn as VuFunction<unknown> | undefined), { kind, profile, segment })
  // normalize parsed the thresholds the profile chose and checked them against built-in metrics.
  return { plan, thresholds: plan.thresholds, modulePath }
}

export async function run<D = unknown>(options: RunOptions<D>): Promise<PerfResult> {
  const { name = 'run', fn, profile, startAt, segment, executionSegment, executionSegmentSequence, ...rest } = options
  const block = prepare(name, rest as PerfOptions<unknown>, fn as VuFunction<unknown> | string | URL | undefined, 'run', profile,
    { segment, executionSegment, executionSegmentSequence })
  // Without a test file, workers can only load a VU function that lives in a module.
  const workers = resolveWorkers(block.plan.workers, 0)
  if (workers > 0 && !block.modulePath) {
    throw new InvalidOptionError('workers', `run(): workers: ${String(rest.workers)} needs the VU function in a module (fn: './my-scenario.ts', default export) so worker threads can load it; or set workers: 0`)
  }
  const runner = block.modulePath ? moduleRunner(block.plan, block.modulePath, rest as PerfOptions<unknown>, workers) : undefined
  return execute({ ...block, setup: rest.setup, teardown: rest.teardown as ((d: unknown) => unknown) | undefined, data: rest.data, signal: rest.signal, onProgress: rest.onProgress, runner, startAt })
}
