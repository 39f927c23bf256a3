/**
 * A scenario's run against the time its test has left, for any runner whose host says when its
 * test started and when it times out (BlockHost.test). Vitest fixes a test's timeout when it
 * collects the test, so `scenario.run()` cannot lengthen it. Instead a run that cannot fit is
 * refused before any load, with both figures and the fix; and a run whose length is only a cap
 * (iteration executors' `maxDuration`) is stopped shortly before the timeout, so the test fails
 * with what was measured and why, instead of Vitest's bare "Test timed out".
 */
import { formatDuration } from '../core/duration.ts'
import { executorDurationMs, type RunPlan } from '../core/plan.ts'
import { AbortedError, InvalidOptionError } from '../errors.ts'

/** Time on top of the planned load for bundling, starting the worker and setup (measured: ~0.2 s for the first two). */
export const START_MARGIN_MS = 5_000
/** The guard stops the load this long before the timeout (at most a quarter of the time left) for teardown and merging. */
const STOP_BEFORE_MS = 3_000

/** The parts of the running test we read (Vitest's task has them, the same in Vitest 4 and 5). */
export interface RunningTest {
  readonly name: string
  /** Where the runner's default timeout is set, for the fix we suggest. @default 'vitest.config.ts' */
  readonly configFile?: string
  /** ms; 0 or Infinity: no timeout. */
  readonly timeout?: number
  readonly result?: { readonly startTime?: number; readonly attempts?: readonly { readonly duration?: number }[] }
}

/**
 * ms the test has left before its timeout; Infinity without a timeout or outside a test. Counted
 * from the test's start (before its beforeEach hooks, so never more than it really has), minus
 * earlier attempts when it is retried, which get their own timeout.
 */
export function testTimeLeft(task: RunningTest | undefined, now = Date.now()): number {
  const timeout = task?.timeout
  if (!task || !timeout || !Number.isFinite(timeout)) return Infinity
  const start = task.result?.startTime
  if (start === undefined) return timeout
  const earlier = (task.result?.attempts ?? []).reduce((a, x) => a + (x.duration ?? 0), 0)
  return timeout - Math.max(0, now - start - earlier)
}

/** The unit whose schedule ends last, with its parts; null when every unit runs to an iteration count (no fixed end). */
function scheduledEnd(plan: RunPlan): { loadMs: number; gracefulStopMs: number } | null {
  let best: { loadMs: number; gracefulStopMs: number } | null = null
  for (const u of plan.units) {
    if (u.executor.kind === 'per-vu-iterations' || u.executor.kind === 'shared-iterations') continue
    const loadMs = u.startTimeMs + executorDurationMs(u.executor)
    if (!best || loadMs + u.gracefulStopMs > best.loadMs + best.gracefulStopMs) best = { loadMs, gracefulStopMs: u.gracefulStopMs }
  }
  return best
}

/** `95_000`: how a timeout is written in a test file. */
const asLiteral = (ms: number) => String(Math.ceil(ms / 1000) * 1000).replace(/\B(?=(\d{3})+(?!\d))/g, '_')

function fix(task: RunningTest, ms: number): string {
  return `test(${JSON.stringify(task.name)}, fn, ${asLiteral(ms)}) or testTimeout in ${task.configFile ?? 'vitest.config.ts'}`
}

/**
 * Throws before any load when the scenario's scheduled length (+ gracefulStop + start margin) is
 * longer than what its test has left.
 */
export function assertFitsTest(name: string, plan: RunPlan, task: RunningTest | undefined): void {
  const left = testTimeLeft(task)
  const end = scheduledEnd(plan)
  if (!task || !end || left === Infinity) return
  const needMs = end.loadMs + end.gracefulStopMs + START_MARGIN_MS
  if (needMs <= left) return
  // What the test already spent (earlier runs in it) counts only when it is worth saying.
  const spent = (task.timeout ?? 0) - left
  const has = spent >= 1000 ? `has ${formatDuration(Math.max(0, left))} left of its ${task.timeout} ms timeout` : `times out after ${task.timeout} ms`
  throw new InvalidOptionError('timeout', `scenario "${name}" needs up to ${formatDuration(needMs)} (${formatDuration(end.loadMs)} of load + ` +
    `${formatDuration(end.gracefulStopMs)} gracefulStop + ${formatDuration(START_MARGIN_MS)} to start), but its test ${has}; ` +
    `no load was started. Give the test the time: ${fix(task, needMs + (spent >= 1000 ? spent : 0))}`)
}

/** Stops a run shortly before its test's timeout; `expired` says whether it did. */
export interface TestDeadline {
  readonly signal: AbortSignal | undefined
  readonly expired: boolean
  /** The error the test fails with when the guard stopped the load. */
  error(name: string, elapsedMs: number, completed: number, plan: RunPlan): InvalidOptionError
  dispose(): void
}

export function testDeadline(task: RunningTest | undefined): TestDeadline {
  const left = testTimeLeft(task)
  const controller = new AbortController()
  let expired = false
  const stopAt = left - Math.min(STOP_BEFORE_MS, left / 4)
  const timer = task && Number.isFinite(left) ? setTimeout(() => {
    expired = true
    controller.abort(new AbortedError(`stopped before the test's ${task.timeout} ms timeout`))
  }, Math.max(0, stopAt)) : undefined
  timer?.unref()
  return {
    signal: timer ? controller.signal : undefined,
    get expired() { return expired },
    error(name, elapsedMs, completed, plan) {
      const capMs = plan.maxDurationMs + START_MARGIN_MS
      return new InvalidOptionError('timeout', `scenario "${name}" was stopped after ${formatDuration(elapsedMs)} of load (${completed} iterations completed) ` +
        `so that its test would not time out (${task?.timeout} ms); its plan allows up to ${formatDuration(capMs)}. ` +
        `Give the test the time: ${fix(task as RunningTest, capMs)}, or plan fewer iterations or a shorter maxDuration`)
    },
    dispose() { if (timer) clearTimeout(timer) },
  }
}
