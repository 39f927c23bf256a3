/**
 * The public matchers, for `expect.extend()` in Vitest and Jest. Each is a thin wrapper over a
 * kernel; `pass` is always the honest comparison and the runner inverts it for `.not`.
 */
import { errorRateBelow, healthyGenerator, latencyBelow, matchBaseline, passThresholds, throughputAbove, type MatcherOutcome, type UpdateMode } from './kernels.ts'
import type { Tolerances } from '../report/compare.ts'
import { recoverWithin } from './recovery-kernel.ts'
import type { RecoveryTolerance } from '../metrics/recovery.ts'
import { isCI } from '../core/ci.ts'

interface Ctx {
  isNot?: boolean
  testPath?: string
  /** Vitest and Jest keep the update mode on the snapshot state (`_updateSnapshot`). */
  snapshotState?: unknown
}

/** The runner's update mode; without one, baselines are written locally and never in CI (README). */
function updateMode(ctx: Ctx): UpdateMode {
  const mode = (ctx.snapshotState as { _updateSnapshot?: unknown } | undefined)?._updateSnapshot
  return mode === 'all' || mode === 'none' || mode === 'new' ? mode : isCI() ? 'none' : 'new'
}
type Result = { pass: boolean; message: () => string; actual: unknown; expected: unknown }

function wrap(o: MatcherOutcome, ctx: Ctx): Result {
  return { pass: o.pass, message: () => o.message(ctx.isNot === true), actual: o.actual, expected: o.expected }
}

export const loadspecMatchers = {
  toHaveP50Below(this: Ctx, received: unknown, ms: number) { return wrap(latencyBelow('toHaveP50Below', received, 'p', 50, ms), this) },
  toHaveP90Below(this: Ctx, received: unknown, ms: number) { return wrap(latencyBelow('toHaveP90Below', received, 'p', 90, ms), this) },
  toHaveP95Below(this: Ctx, received: unknown, ms: number) { return wrap(latencyBelow('toHaveP95Below', received, 'p', 95, ms), this) },
  toHaveP99Below(this: Ctx, received: unknown, ms: number) { return wrap(latencyBelow('toHaveP99Below', received, 'p', 99, ms), this) },
  toHavePercentileBelow(this: Ctx, received: unknown, p: number, ms: number) { return wrap(latencyBelow('toHavePercentileBelow', received, 'p', p, ms), this) },
  toHaveMeanBelow(this: Ctx, received: unknown, ms: number) { return wrap(latencyBelow('toHaveMeanBelow', received, 'mean', 0, ms), this) },
  toHaveMaxBelow(this: Ctx, received: unknown, ms: number) { return wrap(latencyBelow('toHaveMaxBelow', received, 'max', 0, ms), this) },
  toHaveErrorRateBelow(this: Ctx, received: unknown, rate: number) { return wrap(errorRateBelow('toHaveErrorRateBelow', received, rate), this) },
  toHaveThroughputAbove(this: Ctx, received: unknown, rps: number) { return wrap(throughputAbove('toHaveThroughputAbove', received, rps), this) },
  toPassThresholds(this: Ctx, received: unknown) { return wrap(passThresholds('toPassThresholds', received), this) },
  toHaveHealthyGenerator(this: Ctx, received: unknown) { return wrap(healthyGenerator('toHaveHealthyGenerator', received), this) },
  toRecoverWithin(this: Ctx, received: unknown, ms: number, tolerance?: RecoveryTolerance) { return wrap(recoverWithin('toRecoverWithin', received, ms, tolerance), this) },
  toMatchBaseline(this: Ctx, received: unknown, tolerances?: Tolerances) {
    const o = matchBaseline('toMatchBaseline', received, tolerances, this.testPath, updateMode(this))
    // A verdict the noise cannot decide passes, but says so with both figures.
    if (o.note) process.stderr.write(`loadspec: ${o.note}\n`)
    return wrap(o, this)
  },
}

/** The matcher signatures, shared by the Vitest and Jest type augmentations. */
export interface LoadspecMatchers<R = unknown> {
  /** Latency p50 of the main request metric is below `ms`. */
  toHaveP50Below(ms: number): R
  toHaveP90Below(ms: number): R
  toHaveP95Below(ms: number): R
  toHaveP99Below(ms: number): R
  /** Latency at percentile `p` (0–100) is below `ms`. */
  toHavePercentileBelow(p: number, ms: number): R
  toHaveMeanBelow(ms: number): R
  toHaveMaxBelow(ms: number): R
  /** Failed requests / all requests is below `rate` (0–1). */
  toHaveErrorRateBelow(rate: number): R
  /** Requests per second over the run is above `rps`. */
  toHaveThroughputAbove(rps: number): R
  /** Every threshold of the run passed. */
  toPassThresholds(): R
  /** No generator thread saturated (event-loop delay p99 ≤ 50 ms, CPU ≤ 90% of a core). */
  toHaveHealthyGenerator(): R
  /**
   * Every fault of the run's fault timeline recovered within `ms` of its end: from then on each
   * second's error rate and p95 stay within `tolerance` of the seconds before the first fault
   * (error rate +0.01, p95 +50 % or +1 ms, whichever is larger, by default).
   */
  toRecoverWithin(ms: number, tolerance?: { errorRate?: number; p95?: number; p95Ms?: number }): R
  /**
   * No regression against this run's baseline beyond `tolerances` (p95 +10%, error rate +0.5
   * points, throughput −10% by default). Written on the first run, rewritten with -u, never in CI.
   */
  toMatchBaseline(tolerances?: { p95?: number; errorRate?: number; throughput?: number }): R
}
