/** The typed messages between the test's thread and pool workers (one file, as Playwright's ipc.ts). */
import type { MessagePort } from 'node:worker_threads'
import type { SerializedMetrics } from '../metrics/serialized.ts'
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
  readonly metrics: SerializedMetrics
  readonly startTime: number
  readonly durationMs: number
  readonly health: GeneratorHealth
  /** Set when this worker stopped its load because a metric it created cannot be read by a threshold. */
  readonly invalid?: string
}

/** Worker → parent, about once a second. */
export interface SnapshotMessage {
  readonly type: 'snapshot'
  readonly metrics: SerializedMetrics
  readonly elapsedMs: number
  readonly health: GeneratorHealth
}

/** Worker → parent, at once: a metric created during the load does not fit a threshold on it, so every worker must stop. */
export interface InvalidMessage {
  readonly type: 'invalid'
  readonly message: string
}

/** Parent → worker. */
export interface StopMessage {
  readonly type: 'stop'
}
