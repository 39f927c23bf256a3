/** The serialisable result of one perf block or `run()`: JSON-safe, mergeable with `aggregate()`. */
import type { SerializedMetrics } from './serialized.ts'

/** Outcome of one threshold expression, evaluated on the whole (merged) run. */
export interface ThresholdResult {
  /** Metric key as written, e.g. `http_req_duration{name:POST /messages}`. */
  readonly key: string
  /** Expression as written, e.g. `p(95)<500`. */
  readonly source: string
  readonly ok: boolean
  /** The figure compared with the bound (ms for trends); null when the metric had no data. */
  readonly actual: number | null
  readonly reason?: string
}

/** One generator thread's reading of its own load. */
export interface GeneratorHealth {
  /** 0-based worker index (0 for the test's own thread). */
  readonly worker: number
  /** Event-loop delay percentiles over the run, ms. */
  readonly loopDelayP99Ms: number
  readonly loopDelayMaxMs: number
  /** Share of the run the event loop was busy (0–1). */
  readonly eventLoopUtilization: number
  /** CPU time of this thread ÷ wall time (1 = one full core). */
  readonly cpu: number
  /** Wall time the reading covers, ms. */
  readonly wallMs: number
  /** Most heap this thread held at a reading (old generation in a worker), MB. */
  readonly heapUsedMb: number
  /** The heap limit that reading is measured against (a worker's old-generation limit), MB. */
  readonly heapLimitMb: number
}

/** The load generator's own health: a saturated generator must not pass for a slow server. */
export interface GeneratorReport {
  readonly healthy: boolean
  /** Sentences naming each limit a worker passed. */
  readonly problems: readonly string[]
  readonly workers: readonly GeneratorHealth[]
}

/** Why a run ended before its planned length, if it did. */
export interface AbortInfo {
  readonly reason: 'signal' | 'threshold' | 'error'
  readonly message: string
}

export interface ResultData {
  readonly version: 1
  readonly name: string
  /** Epoch ms when load started. */
  readonly startTime: number
  /** Wall time of the load, from the first VU start to the last VU stop, in ms. */
  readonly durationMs: number
  readonly metrics: SerializedMetrics
  readonly thresholds: readonly ThresholdResult[]
  readonly aborted?: AbortInfo
  readonly generator?: GeneratorReport
  /** Executor, profile and the main sizing figures as run (after profile and scale). */
  readonly plan?: Readonly<Record<string, unknown>>
  /** The share of a sharded load this result holds; absent for the whole load. */
  readonly segment?: SegmentData
  /** Hash of the plan and thresholds: the parts of one load share it (see `loadspec merge`). */
  readonly fingerprint?: string
  /** Version of loadspec that produced the result. */
  readonly loadspec?: string
  /** The faults of the block's fault timeline, as carried out. */
  readonly faults?: readonly FaultMarkData[]
}

/** A fault as carried out, in ms after the load's start (services/faults.ts). */
export interface FaultMarkData {
  readonly index: number
  readonly service: string
  /** `kill broadcast for 5s`, `latency on api for 2s`. */
  readonly label: string
  readonly atMs: number
  readonly endMs: number
}

/** A shard as written (`2/4`, `1/4:1/2 of 0,1/4,1/2,1`) and the indices it owns (core/segment.ts). */
export interface SegmentData {
  readonly label: string
  readonly cycle: number
  readonly slots: readonly number[]
}
