/** What a live progress update carries from a perf run to the reporter, and how it is printed. */

export const PROGRESS_ENV = 'LOADSPEC_PROGRESS'
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
  return `  ▸ ${p.name}  ${s(p.elapsedMs)}/${s(p.totalMs)} · ${p.vus} VUs · ${p.rps} req/s · p95 ${p95} ms · ${p.requests} requests · errors ${(p.errorRate * 100).toFixed(2)} %`
}

