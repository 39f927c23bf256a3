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
import { Runtime } from './runtime.ts'
import type { Segment } from './segment.ts'
import { HealthMonitor, type GeneratorHealth } from './health.ts'

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
}

export interface SegmentResult {
  readonly metrics: SerializedMetrics
  /** Epoch ms at which the load started. */
  readonly startTime: number
  readonly durationMs: number
  /** This thread's own load while generating (event-loop delay, CPU). */
  readonly health: GeneratorHealth
}

export async function runSegment(run: SegmentRun): Promise<SegmentResult> {
  const registry = new MetricsRegistry()
  const { http: h } = run.plan
  const http = new HttpDriver({ sink: registry, timeoutMs: h.timeoutMs, discardResponseBodies: h.discardResponseBodies, ...(h.baseUrl ? { baseUrl: h.baseUrl } : {}) })
  const startTime = Date.now()
  const monitor = new HealthMonitor(run.worker ?? 0)
  const ws = new WsDriver({ sink: registry })
  const grpc = new GrpcDriver(registry)
  const rt = new Runtime(registry, http, ws, grpc, run.data, run.plan.tags)
  const onAbort = () => rt.stop()
  run.signal?.addEventListener('abort', onAbort, { once: true })
  if (run.signal?.aborted) rt.stop()
  // The one periodic timer of a run: closes timeline seconds and lets the caller look (thresholds, progress).
  const tick = setInterval(() => {
    http.flushBytes()
    registry.closeSecond()
    try { run.onSecond?.(registry, rt.elapsed(), monitor.read()) } catch { /* a progress callback must not break the load */ }
  }, 1000)
  let durationMs = 0
  try {
    await Promise.all(run.plan.units.map((u) => runUnit(u, run.segment, rt)))
  } finally {
    durationMs = rt.elapsed()
    clearInterval(tick)
    run.signal?.removeEventListener('abort', onAbort)
    rt.stop()
    grpc.close()
    await Promise.all([http.close(), ws.close()])
  }
  const health = monitor.stop()
  registry.closeSecond(true)
  return { metrics: registry.snapshot(), startTime, durationMs, health }
}
