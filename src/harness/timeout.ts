/**
 * How long a perf block's test may take, in one place for every runner: its planned length +
 * graceful stop + a margin for setup, teardown, bundling and thread start, unless `timeout` is set.
 */
import { parseDuration } from '../core/duration.ts'
import type { PerfOptions } from '../core/options.ts'
import type { RunPlan } from '../core/plan.ts'

/** Margin on top of a block's planned length for setup, teardown, bundling and thread start. */
export const TIMEOUT_MARGIN_MS = 30_000

/** The test timeout of a block (ms): the chosen profile's `timeout`, else the block's, else its planned length + margin. */
export function blockTimeoutMs(plan: RunPlan, options: Pick<PerfOptions<unknown>, 'timeout' | 'profiles'>): number {
  const chosen = plan.profile ? options.profiles?.[plan.profile]?.timeout : undefined
  const t = chosen ?? options.timeout
  return t !== undefined ? parseDuration(t, 'timeout') : plan.maxDurationMs + TIMEOUT_MARGIN_MS
}

/**
 * Where a runner gives a test no abort signal (Jest), the adapter stops the load itself this long
 * after the test started: before the runner's timeout, with time left for the VUs' interruption
 * (2 s), the workers' stop and teardown, so nothing runs on after the test ended.
 */
export function ownDeadlineMs(timeoutMs: number): number {
  const leave = Math.min(10_000, Math.max(1_000, timeoutMs * 0.2))
  return Math.max(timeoutMs / 2, timeoutMs - leave)
}
