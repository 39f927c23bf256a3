/**
 * `run()`: load with no test runner. Validates, runs setup → load → teardown on this thread and
 * returns the PerfResult; breached thresholds are in `result.thresholds`, not thrown.
 */
import { parseThresholds } from '../metrics/thresholds.ts'
import type { PerfResult } from '../metrics/result.ts'
import { execute } from './execute.ts'
import { normalizeOptions } from './normalize.ts'
import type { PerfOptions, VuFunction, Thresholds } from './options.ts'
import type { RunPlan } from './plan.ts'
import type { ParsedThreshold } from '../metrics/thresholds.ts'

export type RunOptions<D = unknown> = PerfOptions<D> & {
  /** Name of the run in results and reports. @default 'run' */
  name?: string
  /** What each VU does (or give every `scenarios` entry an `fn`). */
  fn?: VuFunction<D>
  /** Profile to apply; defaults to LOADSPEC_PROFILE. */
  profile?: string
}

/** Validated form of a block, made once at definition time so bad options fail fast. */
export interface PreparedBlock {
  readonly plan: RunPlan
  readonly thresholds: readonly ParsedThreshold[]
}

export function prepare(name: string, options: PerfOptions<unknown>, fn: VuFunction<unknown> | undefined, kind: string, profile?: string): PreparedBlock {
  const plan = normalizeOptions(name, options, fn, { kind, profile })
  const merged = options as { thresholds?: Thresholds; profiles?: Record<string, { thresholds?: Thresholds }> }
  const chosen = plan.profile ? merged.profiles?.[plan.profile]?.thresholds : undefined
  return { plan, thresholds: parseThresholds(chosen ?? merged.thresholds ?? {}) }
}

export async function run<D = unknown>(options: RunOptions<D>): Promise<PerfResult> {
  const { name = 'run', fn, profile, ...rest } = options
  const block = prepare(name, rest as PerfOptions<unknown>, fn as VuFunction<unknown> | undefined, 'run', profile)
  return execute({ ...block, setup: rest.setup, teardown: rest.teardown as ((d: unknown) => unknown) | undefined, data: rest.data, signal: rest.signal })
}
