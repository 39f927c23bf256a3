/**
 * Runs a plan's load for one segment in the current thread and returns its serialised metrics.
 * Thread-agnostic on purpose: the test's thread calls it for `workers: 0`, pool workers call it
 * with their own segment, and the results merge exactly.
 */
import { HttpDriver } from '../drivers/http.ts'
import { WsDriver } from '../drivers/ws.ts'
import { GrpcDriver } from '../drivers/grpc.ts'
import { MetricsRegistry } from '../metrics/registry.ts'
import type { SerializedMetrics } from '../metrics/serialized.ts'
import { runUnit } from './executors/index.ts'
import type { RunPlan } from './plan.ts'
import { Runtime, type InFlightCounters } from './runtime.ts'
import type { Segment } from './segment.ts'
import { HealthMonitor, type GeneratorHealth } from './health.ts'
import { metricTypeCheck } from '../metrics/threshold-metrics.ts'

export interface SegmentRun {
  readonly plan: RunPlan
  readonly segment: Segment
  readonly data: unknown
  /** Stops the load (test abort, abortOnFail): VUs are interrupted at once. */
  readonly signal?: AbortSignal | undefined
  /** Called once a second after the timeline's second closed. */
  readonly onSecond?: ((registry: MetricsRegistry, elapsedMs: number, health: GeneratorHealth) => void) | undefined
  /** Index of the worker running this segment (0 on the test's thread). */
  readonly worker?: number
  /** Called at once when a metric created during the load does not fit a threshold on it; the load stops. */
  readonly onInvalid?: ((message: string) => void) | undefined
  /** Where iterations in progress are counted for a parent that may have to terminate this thread. */
  readonly inFlight?: InFlightCounters
}

export interface SegmentResult {
  readonly metrics: SerializedMetrics
  /** Epoch ms at which the load started. */
  readonly startTime: number
  readonly durationMs: number
  /** This thread's own load while generating (event-loop delay, CPU). */
  readonly health: GeneratorHealth
  /** Why the load stopped early: a metric created during it that a threshold cannot be read on. */
  readonly invalid?: string
}

export async function runSegment(run: SegmentRun): Promise<SegmentResult> {
  // A custom metric's type is known when a VU first creates it: a threshold that cannot be read
  // on it stops the load now rather than after the whole run.
  const check = metricTypeCheck(run.plan.thresholds)
  let invalid: string | undefined
  let rt: Runtime | undefined
  const registry = new MetricsRegistry(run.worker ?? 0, check && ((name, type) => {
    const problem = invalid === undefined ? check(name, type) : null
    if (problem === null) return
    invalid = problem
    rt?.stop()
    try { run.onInvalid?.(problem) } catch { /* the caller hears of it in the result too */ }
  }))
  const { http: h } = run.plan
  const http = new HttpDriver({ sink: registry, timeoutMs: h.timeoutMs, discardResponseBodies: h.discardResponseBodies, ...(h.baseUrl ? { baseUrl: h.baseUrl } : {}) })
  const startTime = Date.now()
  const monitor = new HealthMonitor(run.worker ?? 0)
  const ws = new WsDriver({ sink: registry })
  const grpc = new GrpcDriver(registry)
  const runtime = new Runtime(registry, http, ws, grpc, run.data, run.plan.tags, run.inFlight)
  rt = runtime
  const onAbort = () => runtime.stop()
  run.signal?.addEventListener('abort', onAbort, { once: true })
  if (run.signal?.aborted || invalid !== undefined) runtime.stop()
  // The one periodic timer of a run: closes timeline seconds and lets the caller look (thresholds, progress).
  const tick = setInterval(() => {
    http.flushBytes()
    registry.closeSecond()
    try { run.onSecond?.(registry, runtime.elapsed(), monitor.read()) } catch { /* a progress callback must not break the load */ }
  }, 1000)
  let durationMs = 0
  try {
    await Promise.all(run.plan.units.map((u) => runUnit(u, run.segment, runtime)))
  } finally {
    durationMs = runtime.elapsed()
    clearInterval(tick)
    run.signal?.removeEventListener('abort', onAbort)
    runtime.stop()
    grpc.close()
    await Promise.all([http.close(), ws.close()])
  }
  const health = monitor.stop()
  registry.closeSecond(true)
  return { metrics: registry.snapshot(), startTime, durationMs, health, ...(invalid !== undefined ? { invalid } : {}) }
}
