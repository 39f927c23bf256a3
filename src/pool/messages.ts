/** The typed messages between the test's thread and pool workers (one file, as Playwright's ipc.ts). */
import type { MessagePort } from 'node:worker_threads'
import type { SerializedErrors, SerializedMetrics, SerializedSecond, SerializedSeries } from '../metrics/serialized.ts'
import type { Segment } from '../core/segment.ts'
import type { GeneratorHealth } from '../core/health.ts'

/** One worker's share of a perf block. */
export interface WorkerTask {
  /** Absolute path of the test file that defines the block. */
  readonly file: string
  readonly name: string
  readonly worker: number
  /** JSON-safe option overrides (scenario.run overrides without functions). */
  readonly overrides: Readonly<Record<string, unknown>>
  readonly profile: string
  readonly scale: number
  readonly segment: Segment
  readonly data: unknown
  /** Snapshots go out, a stop comes in. */
  readonly port: MessagePort
}

export interface WorkerResult {
  /** Running totals, and the timeline entries that no snapshot carried. */
  readonly metrics: SerializedMetrics
  /** Snapshots sent before this result: the parent waits for all of them (another port, no order). */
  readonly snapshots: number
  readonly startTime: number
  readonly durationMs: number
  readonly health: GeneratorHealth
}

/**
 * Worker → parent, about once a second: only what changed. The totals replace the previous
 * snapshot's (their size does not grow with the run); the timeline entries closed since the last
 * snapshot are appended by the parent and dropped by the worker.
 */
export interface SnapshotMessage {
  readonly type: 'snapshot'
  readonly series: readonly SerializedSeries[]
  readonly errors: SerializedErrors
  readonly seconds: readonly SerializedSecond[]
  readonly elapsedMs: number
  readonly health: GeneratorHealth
}

/** Parent → worker. */
export interface StopMessage {
  readonly type: 'stop'
}
