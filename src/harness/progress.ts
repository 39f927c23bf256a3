/**
 * Live progress, runner-neutral: what an update carries from a perf run to the reporter (about once
 * a second), how it is computed from the live result, and how the reporter prints it. Each adapter
 * only sends it (Vitest: a test artifact; Jest: a file the reporter polls).
 */
import type { PerfResult } from '../metrics/result.ts'
import { executorDurationMs, type RunPlan } from '../core/plan.ts'

export { PROGRESS_ENV } from './env.ts'
export const PROGRESS_ARTIFACT = 'loadspec:progress'
export const EVERY_MS = 1000

export interface ProgressFigures {
  readonly type: typeof PROGRESS_ARTIFACT
  readonly name: string
  readonly elapsedMs: number
  /** Planned load length (longest scenario incl. start offset), ms. */
  readonly totalMs: number
  readonly vus: number
  /** Requests in the last second every worker has reported (one second behind the newest). */
  readonly rps: number
  /** p95 of that second, ms (0 without samples). */
  readonly p95: number
  readonly requests: number
  readonly errorRate: number
}

/** `▸ relay: send  12s/60s · 50 VUs · 1234 req/s · p95 12.3 ms · 14808 requests · errors 0.00 %` */
export function progressLine(p: ProgressFigures): string {
  const s = (ms: number) => `${Math.round(ms / 1000)}s`
  const p95 = p.p95 >= 100 ? p.p95.toFixed(0) : p.p95.toFixed(1)
  return `  ▸ ${p.name}  ${s(p.elapsedMs)}/${s(p.totalMs)} · ${p.vus} VUs · ${Math.round(p.rps)} req/s · p95 ${p95} ms · ${p.requests} requests · errors ${(p.errorRate * 100).toFixed(2)} %`
}

/**
 * The onProgress callback for execute(): the user's own, plus `send(figures)` at most about once
 * a second when the adapter has somewhere to send them.
 */
export function progressSender(plan: RunPlan, user: ((r: PerfResult) => void) | undefined,
  send: ((f: ProgressFigures) => void) | undefined): ((r: PerfResult) => void) | undefined {
  if (!send) return user
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
    send({ type: PROGRESS_ARTIFACT, name: live.name, elapsedMs: live.duration, totalMs,
      vus: newest?.vus ?? 0, rps: done?.requests ?? 0, p95: done?.p95 ?? 0, requests: live.requests, errorRate: live.errorRate })
  }
}
