/**
 * The serialisable form of a run's metrics: what crosses threads, is written to JSON files and is
 * merged exactly by `aggregate()`. Histograms travel encoded; everything else is plain numbers.
 */
import type { MetricType, ErrorKind } from './sink.ts'

/** One metric series (a name plus one tag set). Trend values are integer microseconds. */
export interface SerializedSeries {
  readonly name: string
  readonly type: MetricType
  readonly tags: Readonly<Record<string, string>>
  /** trend: samples; counter: sum of adds; rate: passes + fails; gauge: number of adds. */
  readonly count: number
  /** trend: sum of µs (exact mean); counter: sum; rate: passes; gauge: last value. */
  readonly sum: number
  /** trend: µs; gauge: value. 0 when count is 0. */
  readonly min: number
  readonly max: number
  /** trend only: compressed base64 HDR histogram of µs values. */
  readonly hist?: string
}

/**
 * What happened in one window of the run, per metric name (tags merged): one wall-clock second, or
 * for long runs a coarser window (`d` seconds; src/metrics/timeline.ts says which).
 */
export interface SerializedSecond {
  /** The window's first second since the run started (0-based). */
  readonly t: number
  /** Seconds the window covers; absent for a 1-second window. Counts are over the whole window. */
  readonly d?: number
  /** counter sums and rate passes/fails by metric name. */
  readonly counters: Readonly<Record<string, number>>
  readonly rates: Readonly<Record<string, readonly [passes: number, fails: number]>>
  /** gauges: last value in the second, summed over workers when merged. */
  readonly gauges: Readonly<Record<string, number>>
  /** trends: encoded histogram of the second's samples (µs). */
  readonly trends: Readonly<Record<string, string>>
}

/** One distinct error with how often it happened. */
export interface SerializedErrorSample {
  readonly kind: ErrorKind
  readonly status?: number | string
  readonly message: string
  readonly endpoint?: string
  readonly count: number
  /** Epoch ms of its first and last occurrence (Locust's `First Seen` / `Last Seen`). */
  readonly firstSeen?: number
  readonly lastSeen?: number
  /** An exception's stack frames (`    at …` lines), redacted; exceptions with other stacks are other samples. */
  readonly stack?: string
  /** Indexes of the worker threads an exception was thrown on (Locust's `Nodes`). */
  readonly workers?: readonly number[]
}

export interface SerializedErrors {
  readonly total: number
  readonly byKind: Readonly<Partial<Record<ErrorKind, number>>>
  readonly byStatus: Readonly<Record<string, number>>
  /** Distinct messages, most frequent kept; bounded (see registry). */
  readonly samples: readonly SerializedErrorSample[]
}

export interface SerializedMetrics {
  readonly series: readonly SerializedSeries[]
  readonly timeline: readonly SerializedSecond[]
  readonly errors: SerializedErrors
}
