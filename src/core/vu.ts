/**
 * One virtual user: its state, its context, and the iteration runner that records iteration
 * metrics. Executors decide when a VU iterates; the VU only knows how.
 */
import { toError } from '../errors.ts'
import type { VuState } from './vu-state.ts'
import type { UserTypePlan } from './plan.ts'
import type { IterationHandles, Runtime } from './runtime.ts'
import { createVuContext, type VuContext } from './context.ts'
import { vuStack } from './vu-stack.ts'

export class Vu {
  readonly state: VuState
  readonly ctx: VuContext<unknown>
  private readonly controller = new AbortController()
  private readonly h: IterationHandles
  /** Set by the executor: finish the current iteration, then stop. */
  stopRequested = false
  /** The loop or iteration this VU is running, if any. */
  running: Promise<void> | null = null
  /** Inside an iteration that has not been recorded yet. */
  private inIteration = false

  constructor(id: number, readonly type: UserTypePlan, private readonly rt: Runtime) {
    this.state = { id, scenario: type.name, iteration: -1, lagMs: null, signal: this.controller.signal }
    const tags = { ...rt.tags, ...type.tags }
    const state = this.state
    this.ctx = createVuContext(state, { http: () => rt.http.forVu(state, tags), ws: () => rt.ws.forVu(state, tags), grpc: () => rt.grpc.forVu(state, tags) },
      rt.registry, rt.data, { ...tags, scenario: type.name })
    this.h = rt.iterationHandles(type)
    rt.vuAllocated()
  }

  get interrupted(): boolean { return this.controller.signal.aborted }

  /** Aborts the VU's current iteration (sleep and requests reject at once). */
  interrupt(): void {
    if (!this.controller.signal.aborted) this.controller.abort(new DOMException('VU interrupted', 'AbortError'))
  }

  /**
   * Gives up on an iteration that outlived its interruption (its function ignores the signal or
   * never settles): it counts as interrupted now, and whatever it does later is not recorded.
   */
  abandon(): void {
    if (this.settle()) this.h.interrupted.add(1)
  }

  /** Ends the iteration in progress; false when it was already ended (abandoned). */
  private settle(): boolean {
    if (!this.inIteration) return false
    this.inIteration = false
    this.h.inFlight(-1)
    return true
  }

  /**
   * Runs one iteration. `scheduledAt` (ms since run start) is given by open-model executors: the
   * lag behind it is recorded and added to latencies measured from the schedule.
   */
  async iterate(scheduledAt: number | null): Promise<void> {
    const s = this.state
    s.iteration++
    const start = performance.now()
    const lag = scheduledAt === null ? null : Math.max(0, start - this.rt.t0 - scheduledAt)
    s.lagMs = lag
    if (lag !== null) this.h.lag.add(lag)
    this.inIteration = true
    this.h.inFlight(1)
    try {
      await this.type.fn(this.ctx)
      if (this.settle()) this.finished(start, lag, false)
    } catch (err) {
      if (!this.settle()) return
      if (this.interrupted) { this.h.interrupted.add(1); return }
      this.finished(start, lag, true)
      const e = toError(err)
      // Its frames go with it, for Locust's _exceptions.csv traceback.
      const stack = vuStack(e)
      this.rt.registry.error({ kind: 'exception', message: `${e.name}: ${e.message}`, endpoint: s.scenario, ...(stack ? { stack } : {}) })
    }
  }

  private finished(start: number, lag: number | null, failed: boolean): void {
    const d = performance.now() - start
    this.h.iterations.add(1)
    this.h.duration.add(d)
    this.h.failed.add(failed)
    if (lag !== null) this.h.corrected.add(d + lag)
  }
}
