/**
 * Each worker's hard deadline, so a run always ends near its bound even when a VU never yields
 * (a busy loop freezes the worker's event loop: it can neither see a stop nor answer).
 * A started worker must be done by its planned length (graceful stops included) + the hard stop
 * given to VUs that ignore their signal + a margin for closing drivers and replying. After a
 * stop (test abort, abortOnFail, a failed worker), the graceful stop is skipped, so the deadline
 * moves to the hard stop + the margin from then. A worker that never reports its start (a test
 * file whose top level blocks) expires after START_MS. A started worker past its deadline is given
 * up on: `abandoned()` is what it measured, and destroy() terminates its thread.
 */
import { HARD_STOP_MS } from '../core/executors/lifecycle.ts'
import type { GeneratorHealth } from '../core/health.ts'
import { aggregateMetrics } from '../metrics/aggregate.ts'
import type { SerializedMetrics } from '../metrics/serialized.ts'
import { InFlightReader } from './in-flight.ts'
import type { WorkerResult } from './messages.ts'

/** Time for closing sockets and sending the result after the VUs were stopped. */
export const DEADLINE_MARGIN_MS = 3_000
/** Longest a worker may take to load its bundle and report that it started. */
export const START_MS = 60_000
/** Workers send a snapshot this often (run-segment's timer). */
const SNAPSHOT_MS = 1_000

export class WorkerDeadlines {
  private readonly at: number[]
  private readonly started: boolean[]
  private readonly timers: (NodeJS.Timeout | undefined)[]
  private readonly done: boolean[]

  /** `expire(i, started)` is called once for a worker still running at its deadline. */
  constructor(n: number, private readonly expire: (worker: number, started: boolean) => void) {
    const now = performance.now()
    this.at = Array.from({ length: n }, () => now + START_MS)
    this.started = Array.from({ length: n }, () => false)
    this.done = Array.from({ length: n }, () => false)
    this.timers = Array.from({ length: n }, () => undefined)
    for (let i = 0; i < n; i++) this.schedule(i)
  }

  /** Worker `i` built its plan and starts a load of `plannedMs`. */
  start(i: number, plannedMs: number): void {
    this.started[i] = true
    this.at[i] = performance.now() + plannedMs + HARD_STOP_MS + DEADLINE_MARGIN_MS
    this.schedule(i)
  }

  /** Every worker was told to stop now: no graceful stop is left to wait for. */
  stop(): void {
    const at = performance.now() + HARD_STOP_MS + DEADLINE_MARGIN_MS
    for (let i = 0; i < this.at.length; i++) {
      if ((this.at[i] as number) > at) { this.at[i] = at; this.schedule(i) }
    }
  }

  /** Worker `i` replied (or failed): it has no deadline any more. */
  settle(i: number): void {
    this.done[i] = true
    clearTimeout(this.timers[i])
  }

  clear(): void {
    for (let i = 0; i < this.at.length; i++) this.settle(i)
  }

  private schedule(i: number): void {
    clearTimeout(this.timers[i])
    if (this.done[i]) return
    this.timers[i] = setTimeout(() => {
      if (this.done[i]) return
      this.done[i] = true
      this.expire(i, this.started[i] as boolean)
    }, Math.max(0, (this.at[i] as number) - performance.now()))
  }
}

/** What the parent knows of one worker besides its snapshots: when it started and last spoke, its in-flight counts. */
export class WorkerWatch {
  startedAt: number | null = null
  lastHeard = performance.now()
  inFlight: InFlightReader | null = null
  private onExpire: (outcome: WorkerResult | Error) => void = () => {}
  /** Settles when the worker's hard deadline passed: with what it measured, or an error if it never started. */
  readonly expired = new Promise<WorkerResult>((resolve, reject) => {
    this.onExpire = (o) => { if (o instanceof Error) reject(o); else resolve(o) }
  })

  constructor() { this.expired.catch(() => {}) }
  heard(): void { this.lastHeard = performance.now() }
  started(buffer: SharedArrayBuffer): void { this.startedAt = performance.now(); this.inFlight = new InFlightReader(buffer) }
  expire(outcome: WorkerResult | Error): void { this.onExpire(outcome) }
}

/**
 * The result of a worker given up on at its deadline: its last snapshot, plus its iterations in
 * progress as interrupted ones. A running worker speaks at least once a second, so its event loop
 * was blocked for at least the silence since minus that second, which its health reading then
 * says (it could not send a newer one).
 */
export function abandoned(i: number, last: SerializedMetrics | null, h: GeneratorHealth | null, w: WorkerWatch): WorkerResult {
  const now = performance.now()
  const interrupted: SerializedMetrics = { series: w.inFlight?.interrupted() ?? [], timeline: [], errors: { total: 0, byKind: {}, byStatus: {}, samples: [] } }
  const wallMs = now - (w.startedAt ?? now)
  const reading: GeneratorHealth = h ?? { worker: i, loopDelayP99Ms: 0, loopDelayMaxMs: 0, eventLoopUtilization: 0, cpu: 0, wallMs, heapUsedMb: 0, heapLimitMb: 0 }
  return {
    // snapshots: 0 — nothing is waited for; its windows streamed so far are kept by the parent.
    type: 'result', metrics: aggregateMetrics(last ? [last, interrupted] : [interrupted]), snapshots: 0, startTime: Date.now() - wallMs, durationMs: wallMs,
    health: { ...reading, wallMs, loopDelayMaxMs: Math.max(reading.loopDelayMaxMs, now - w.lastHeard - SNAPSHOT_MS) },
  }
}
