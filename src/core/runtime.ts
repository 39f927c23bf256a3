/**
 * Everything the executors of one run share inside one thread: the metric registry, the drivers,
 * the setup data, the clock and the stop switch. Made by `runSegment()`, one per run per thread.
 */
import type { HttpDriver } from '../drivers/http.ts'
import type { WsDriver } from '../drivers/ws.ts'
import type { GrpcDriver } from '../drivers/grpc.ts'
import type { MetricsRegistry } from '../metrics/registry.ts'
import type { CounterHandle, GaugeHandle, RateHandle, TrendHandle } from '../metrics/sink.ts'
import type { UserTypePlan } from './plan.ts'
import type { Vu } from './vu.ts'

/**
 * Counts one user type's iterations in progress (±1) where another thread can read them: the
 * pool's parent, when it must terminate a worker whose VU never yields.
 */
export type InFlightCounter = (delta: 1 | -1) => void
/** Makes the in-flight counter of a user type's tag set. */
export type InFlightCounters = (tags: Readonly<Record<string, string>>) => InFlightCounter
const uncounted: InFlightCounter = () => {}

/** Iteration metrics of one user type, looked up once. */
export interface IterationHandles {
  readonly iterations: CounterHandle
  readonly duration: TrendHandle
  readonly failed: RateHandle
  readonly interrupted: CounterHandle
  readonly dropped: CounterHandle
  readonly lag: TrendHandle
  readonly corrected: TrendHandle
  readonly inFlight: InFlightCounter
}

export class Runtime {
  /** performance.now() when the load started: executors measure their schedule from here. */
  readonly t0: number
  stopped = false
  private activeVus = 0
  private allocatedVus = 0
  private readonly vusGauge: GaugeHandle
  private readonly vusMaxGauge: GaugeHandle
  private readonly handles = new Map<string, IterationHandles>()
  private readonly stopListeners = new Set<() => void>()
  private readonly vus = new Set<Vu>()

  constructor(readonly registry: MetricsRegistry, readonly http: HttpDriver, readonly ws: WsDriver, readonly grpc: GrpcDriver, readonly data: unknown, readonly tags: Readonly<Record<string, string>>,
    private readonly inFlight?: InFlightCounters) {
    this.t0 = performance.now()
    this.vusGauge = registry.gauge('vus')
    this.vusMaxGauge = registry.gauge('vus_max')
    this.vusGauge.add(0)
    this.vusMaxGauge.add(0)
  }

  /** ms since the load started. */
  elapsed(): number { return performance.now() - this.t0 }

  vuActive(delta: 1 | -1): void { this.activeVus += delta; this.vusGauge.add(this.activeVus) }
  vuAllocated(): void { this.allocatedVus++; this.vusMaxGauge.add(this.allocatedVus) }

  iterationHandles(type: UserTypePlan): IterationHandles {
    let h = this.handles.get(type.name)
    if (!h) {
      const tags = { ...this.tags, ...type.tags, scenario: type.name }
      const r = this.registry
      h = { iterations: r.counter('iterations', tags), duration: r.trend('iteration_duration', tags), failed: r.rate('iteration_failed', tags),
        interrupted: r.counter('iterations_interrupted', tags), dropped: r.counter('dropped_iterations', tags),
        lag: r.trend('schedule_lag', tags), corrected: r.trend('iteration_duration_corrected', tags), inFlight: this.inFlight?.(tags) ?? uncounted }
      this.handles.set(type.name, h)
    }
    return h
  }

  /** VUs that a stop must interrupt. */
  track(vus: Iterable<Vu>): void { for (const v of vus) this.vus.add(v) }
  /** Every VU made so far. */
  allVus(): ReadonlySet<Vu> { return this.vus }

  /** Stops every executor at once (test abort, abortOnFail): no new iterations, VUs interrupted. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    for (const v of this.vus) v.interrupt()
    for (const l of [...this.stopListeners]) l()
  }
  onStop(listener: () => void): () => void {
    if (this.stopped) { listener(); return () => {} }
    this.stopListeners.add(listener)
    return () => this.stopListeners.delete(listener)
  }
}
