/**
 * Live progress, test side: when the plugin asks for it (a TTY, not CI), each perf run sends a small
 * figure set to the reporter about once a second as a Vitest test artifact, the channel that reaches
 * the reporter while the test still runs (`onTestCaseArtifactRecord`, Vitest ≥ 4.0.11).
 */
import * as vitest from 'vitest'
import type { PerfResult } from '../../metrics/result.ts'
import { executorDurationMs, type RunPlan } from '../../core/plan.ts'
import { EVERY_MS, PROGRESS_ARTIFACT, PROGRESS_ENV, type ProgressFigures } from './progress-figures.ts'

declare module 'vitest' {
  interface TestArtifactRegistry { 'loadspec:progress': ProgressFigures }
}

type RecordArtifact = (task: never, artifact: ProgressFigures) => Promise<unknown>

/** The onProgress callback to pass to execute(): the user's own, plus artifacts when wanted. */
export function progressCallback(plan: RunPlan, task: unknown, user: ((r: PerfResult) => void) | undefined): ((r: PerfResult) => void) | undefined {
  const record = (vitest as unknown as { recordArtifact?: RecordArtifact }).recordArtifact
  if (!process.env[PROGRESS_ENV] || !task || typeof record !== 'function') return user
  const totalMs = Math.max(...plan.units.map((u) => u.startTimeMs + executorDurationMs(u.executor)))
  let last = 0
  return (live) => {
    user?.(live)
    const now = Date.now()
    if (now - last < EVERY_MS * 0.9) return
    last = now
    // The timeline holds closed windows only (seconds; coarser after a run's first hour, with
    // figures per second over them). With several workers the newest merged second can
    // still lack a worker's part, so rps and p95 come from the one before it (complete, one second
    // older); VUs from the newest. Only these two seconds are decoded, not the whole run's.
    const newest = live.timelineAt(-1)
    const done = live.data.metrics.timeline.length > 1 ? live.timelineAt(-2) : newest
    const figures: ProgressFigures = { type: PROGRESS_ARTIFACT, name: live.name, elapsedMs: live.duration, totalMs,
      vus: newest?.vus ?? 0, rps: done?.requests ?? 0, p95: done?.p95 ?? 0, requests: live.requests, errorRate: live.errorRate }
    record(task as never, figures).catch(() => { /* progress is best effort: a finished test refuses artifacts */ })
  }
}
