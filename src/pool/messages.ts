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
  readonly type: 'result'
  /** Running totals, and the timeline entries that no snapshot carried. */
  readonly metrics: SerializedMetrics
  /** Snapshots sent before this result: the parent waits for all of them (another port, no order). */
  readonly snapshots: number
  readonly startTime: number
  readonly durationMs: number
  readonly health: GeneratorHealth
  /** Set when this worker stopped its load because a metric it created cannot be read by a threshold. */
  readonly invalid?: string
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

/** Worker → parent, at once: a metric created during the load does not fit a threshold on it, so every worker must stop. */
export interface InvalidMessage {
  readonly type: 'invalid'
  readonly message: string
}

/**
 * Worker → parent, once its plan is built and before its load starts: the planned length sets the
 * worker's hard deadline, and `inFlight` (shared memory) counts its iterations in progress per
 * user type, readable even while the worker's event loop is blocked.
 */
export interface StartedMessage {
  readonly type: 'started'
  /** Planned length of the load including start times and graceful stops, ms. */
  readonly plannedMs: number
  readonly inFlight: SharedArrayBuffer
}

/** Worker → parent, when a user type first iterates: the tags its `inFlight` slot counts under. */
export interface InFlightSlotMessage {
  readonly type: 'in-flight-slot'
  readonly slot: number
  readonly tags: Readonly<Record<string, string>>
}

export type WorkerMessage = SnapshotMessage | StartedMessage | InFlightSlotMessage | InvalidMessage

/** An error in its serialisable form (src/pool/error-transfer.ts makes and revives it). */
export interface SerializedError {
  readonly name: string
  readonly message: string
  readonly stack?: string
  /** Own JSON-safe properties: `code`, `option`, `status`… */
  readonly props: Readonly<Record<string, unknown>>
  /** Set when the error carried loadspec's brand. */
  readonly loadspec?: true
  readonly cause?: { readonly error: SerializedError } | { readonly value: unknown }
}

/** What a worker's task returns when it failed: the error with its class name, code and cause. */
export interface WorkerErrorMessage {
  readonly type: 'error'
  readonly error: SerializedError
}

/** A worker task's reply. */
export type WorkerReply = WorkerResult | WorkerErrorMessage

/** Parent → worker. */
export interface StopMessage {
  readonly type: 'stop'
}
