/**
 * The recording interface that drivers and the VU loop write to.
 *
 * Hot-path rule: look a series up once (per endpoint, per VU, per tag set) and keep the handle;
 * `add()` on a handle must not allocate.
 */

/** Tag set of one series. Keys and values are strings; keep cardinality bounded (no raw URLs). */
export type Tags = Readonly<Record<string, string>>

/** k6's four metric types. */
export type MetricType = 'trend' | 'counter' | 'rate' | 'gauge'

/** A latency-like metric recorded in an HDR histogram. */
export interface TrendHandle {
  /** Records one sample in milliseconds (stored with microsecond resolution). */
  add(ms: number): void
}
/** A monotonically increasing sum (requests, bytes). */
export interface CounterHandle {
  add(n: number): void
}
/** A ratio of true samples to all samples (http_req_failed, checks). */
export interface RateHandle {
  add(ok: boolean): void
}
/** The last value of something (vus). */
export interface GaugeHandle {
  add(value: number): void
}

/**
 * What went wrong with one operation against the system under test.
 * `rate_limited` is a 429; other 4xx are `4xx`; `protocol` is a malformed response or frame.
 */
export type ErrorKind =
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'dns'
  | 'rate_limited'
  | '4xx'
  | '5xx'
  | 'aborted'
  | 'protocol'
  | 'check'
  | 'exception'
  | 'other'

/** One failed operation, as drivers report it. */
export interface ErrorSample {
  readonly kind: ErrorKind
  /** HTTP status or protocol status code, when there is one. */
  readonly status?: number | string
  /** Short human-readable message (truncated by the sink). */
  readonly message: string
  /** Endpoint name tag (`GET /rooms/:id`) or other grouping. */
  readonly endpoint?: string
  /** Stack frames (`    at …` lines) of an exception thrown by the VU function. */
  readonly stack?: string
}

/** The sink a thread records into. One per run per thread. */
export interface MetricSink {
  trend(name: string, tags?: Tags): TrendHandle
  counter(name: string, tags?: Tags): CounterHandle
  rate(name: string, tags?: Tags): RateHandle
  gauge(name: string, tags?: Tags): GaugeHandle
  /** Counts an error by kind and status and keeps a bounded number of sample messages. */
  error(sample: ErrorSample): void
}
