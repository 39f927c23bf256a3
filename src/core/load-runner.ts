/**
 * How a block's load is generated: on the test's own thread (`workers: 0`) or in a worker pool
 * (src/pool). `execute()` does setup, thresholds and teardown the same way for both.
 */
import type { SerializedMetrics } from '../metrics/serialized.ts'
import type { GeneratorHealth } from './health.ts'
import type { RunPlan } from './plan.ts'
import { runSegment } from './run-segment.ts'

export interface LoadOutcome {
  readonly metrics: SerializedMetrics
  readonly startTime: number
  readonly durationMs: number
  /** One reading per thread that generated load. */
  readonly health: readonly GeneratorHealth[]
  /** Set when a worker failed: the metrics are the partial results of the rest. */
  readonly error?: Error
  /** Set when the load stopped because a metric created during it cannot be read by a threshold on it. */
  readonly invalid?: string
}

/** Generates the load; calls `onSecond` with merged live metrics about once a second. */
export type LoadRunner = (data: unknown, signal: AbortSignal, onSecond: (live: SerializedMetrics, elapsedMs: number) => void) => Promise<LoadOutcome>

export function inlineRunner(plan: RunPlan): LoadRunner {
  return async (data, signal, onSecond) => {
    const seg = await runSegment({ plan, segment: plan.segment.stripes, data, signal, onSecond: (registry, elapsedMs) => onSecond(registry.snapshot(), elapsedMs) })
    return { metrics: seg.metrics, startTime: seg.startTime, durationMs: seg.durationMs, health: [seg.health], ...(seg.invalid !== undefined ? { invalid: seg.invalid } : {}) }
  }
}
