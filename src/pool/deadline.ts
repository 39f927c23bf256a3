/**
 * Each worker's hard deadline, so a run always ends near its bound even when a VU never yields
 * (a busy loop freezes the worker's event loop: it can neither see a stop nor answer).
 * A started worker must be done by its planned length (graceful stops included) + the hard stop
 * given to VUs that ignore their signal + a margin for closing drivers and replying. After a
 * stop (test abort, abortOnFail, a failed worker), the graceful stop is skipped, so the deadline
 * moves to the hard stop + the margin from then. A worker that never reports its start (a test
 * file whose top level blocks) expires after START_MS.
 */
import { HARD_STOP_MS } from '../core/executors/lifecycle.ts'

/** Time for closing sockets and sending the result after the VUs were stopped. */
export const DEADLINE_MARGIN_MS = 3_000
/** Longest a worker may take to load its bundle and report that it started. */
export const START_MS = 60_000

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
