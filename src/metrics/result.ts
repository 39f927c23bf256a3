/**
 * `PerfResult`: what a perf block or `run()` returns and matchers assert on. A thin read-only view
 * over `ResultData`; `endpoint()`, `scenario()` and `phase()` give the same view narrowed by a tag.
 */
import type { MetricQuery, MetricValues } from './values.ts'
import type { ResultData, ThresholdResult } from './result-data.ts'
import type { SerializedErrors, SerializedSecond } from './serialized.ts'
import { SeriesIndex, type MetricSummary, type TrendSummary, type CounterSummary, type RateSummary, type GaugeSummary } from './summary.ts'
import { decodeHistogram } from './histogram.ts'
import { trendOf } from './compact-second.ts'
import { percentileUs } from './percentile.ts'
import { parsePhaseName, phaseIndex, phaseWindow, type FaultPhaseName } from './fault-phase.ts'

type TagFilter = Readonly<Record<string, string>>

/** Latency metrics a whole-result assertion reads, in order of preference. */
export const LATENCY_METRICS = ['http_req_duration', 'grpc_req_duration', 'iteration_duration'] as const
/** Request counters that define throughput, in the same order. */
const REQUEST_COUNTERS = ['http_reqs', 'grpc_reqs', 'iterations'] as const
/** Failure rates, in the same order. */
const FAILURE_RATES = ['http_req_failed', 'grpc_req_failed', 'iteration_failed'] as const

/**
 * Per-second figures of the main metrics, for charts and progress. A point covers one second, or
 * after a run's first hour a coarser window (`seconds`); counts are then per second over it.
 */
export interface TimelinePoint {
  /** Start of the point's window, seconds since the run started. */
  readonly t: number
  /** Seconds the point covers: 1 in a run's first hour, more later (src/metrics/timeline.ts). */
  readonly seconds: number
  /** Requests completed per second. */
  readonly requests: number
  /** Failed requests per second. */
  readonly errors: number
  readonly vus: number
  readonly p50: number
  readonly p95: number
  readonly p99: number
  readonly max: number
  readonly dataSent: number
  readonly dataReceived: number
}

/** Metric figures narrowed by a tag filter (the whole run, one endpoint, one scenario or phase). */
export class MetricView implements MetricQuery {
  /** @internal */
  constructor(protected readonly index: SeriesIndex, readonly filter: TagFilter, readonly label: string, protected readonly durationMs: number) {}

  /** Summary of a metric (merged over matching series), or undefined when it has no samples. */
  metric(name: string, tags?: TagFilter): MetricSummary | undefined
  metric(name: string, tags: TagFilter | undefined, type: 'trend'): TrendSummary | undefined
  metric(name: string, tags?: TagFilter): MetricSummary | undefined {
    return this.index.get(name, this.merge(tags))?.summary()
  }

  /** Typed shortcuts. */
  trend(name: string, tags?: TagFilter): TrendSummary | undefined { return onlyType(this.metric(name, tags), 'trend') }
  counter(name: string, tags?: TagFilter): CounterSummary | undefined { return onlyType(this.metric(name, tags), 'counter') }
  rate(name: string, tags?: TagFilter): RateSummary | undefined { return onlyType(this.metric(name, tags), 'rate') }
  gauge(name: string, tags?: TagFilter): GaugeSummary | undefined { return onlyType(this.metric(name, tags), 'gauge') }

  /** MetricQuery, for thresholds. */
  query(name: string, tags?: TagFilter): MetricValues | undefined {
    return this.index.get(name, this.merge(tags))?.values()
  }

  /** The latency metric whole-result matchers read: http, else gRPC, else iteration duration. */
  get latencyMetric(): string | undefined {
    return LATENCY_METRICS.find((n) => (this.index.get(n, this.filter)?.count ?? 0) > 0)
  }
  /** Summary of `latencyMetric`. */
  get latency(): TrendSummary | undefined {
    const name = this.latencyMetric
    return name ? this.trend(name) : undefined
  }
  /** Completed requests (http, else gRPC, else iterations). */
  get requests(): number {
    for (const n of REQUEST_COUNTERS) { const c = this.index.get(n, this.filter)?.count ?? 0; if (c > 0) return c }
    return 0
  }
  /** Requests per second over the run's duration. */
  get throughput(): number {
    return this.durationMs > 0 ? this.requests / (this.durationMs / 1000) : 0
  }
  /** Fraction of failed requests (http, else gRPC, else failed iterations); 0 with no samples. */
  get errorRate(): number {
    for (const n of FAILURE_RATES) {
      const v = this.index.get(n, this.filter)?.values()
      if (v && v.type === 'rate' && v.passes + v.fails > 0) return v.rate
    }
    return 0
  }
  /** This view narrowed to one endpoint (`name` tag), scenario or phase; narrowing composes. */
  endpoint(name: string): MetricView { return this.narrow({ name }, `endpoint "${name}"`) }
  scenario(name: string): MetricView { return this.narrow({ scenario: name }, `scenario "${name}"`) }
  phase(name: string): MetricView { return this.narrow({ phase: name }, `phase "${name}"`) }

  /** Iterations completed, dropped (arrival-rate executors) and interrupted (graceful stop) in this view. */
  get iterations(): { completed: number; dropped: number; interrupted: number } {
    const c = (n: string) => this.index.get(n, this.merge())?.count ?? 0
    return { completed: c('iterations'), dropped: c('dropped_iterations'), interrupted: c('iterations_interrupted') }
  }

  protected narrow(filter: TagFilter, label: string): MetricView {
    return new MetricView(this.index, { ...this.filter, ...filter }, `${this.label} › ${label}`, this.durationMs)
  }

  /** Values a tag takes on a metric in this view (e.g. every `client` of a per-client counter). */
  metricTagValues(metric: string, tag: string): string[] {
    return this.index.tagValues(metric, tag).filter((v) => this.index.get(metric, this.merge({ [tag]: v })))
  }

  /** Names of the endpoints (`name` tag of http/gRPC requests) seen in this view. */
  endpoints(): string[] {
    const names = new Set([...this.index.tagValues('http_reqs', 'name'), ...this.index.tagValues('grpc_reqs', 'name')])
    return [...names].filter((n) => this.index.get('http_reqs', { ...this.filter, name: n }) || this.index.get('grpc_reqs', { ...this.filter, name: n }))
  }

  protected merge(tags?: TagFilter): TagFilter | undefined {
    if (!tags) return Object.keys(this.filter).length ? this.filter : undefined
    return { ...this.filter, ...tags }
  }
}

/** `'before'`, `'during'`, `'after'`, or one fault's: `'during:0'`. */
export type FaultPhaseKey = FaultPhaseName | `${FaultPhaseName}:${number}`

/** A fault phase: the main metrics of the timeline's seconds in its window (tags merged, so no tag filters). */
export class FaultPhaseView extends MetricView {
  /** @internal */
  constructor(index: SeriesIndex, label: string, spanMs: number, readonly fromMs: number, readonly toMs: number, readonly seconds: number) {
    super(index, {}, label, spanMs)
  }
  /** p95 of the latency metric in the phase (ms), undefined without requests. */
  get p95(): number | undefined { return this.latency?.p95 }
}

export class PerfResult extends MetricView {
  readonly name: string
  readonly startTime: number
  readonly thresholds: readonly ThresholdResult[]
  readonly errors: SerializedErrors
  private timelineCache: TimelinePoint[] | null = null

  constructor(readonly data: ResultData) {
    const index = new SeriesIndex(data.metrics.series, data.durationMs)
    super(index, {}, data.name, data.durationMs)
    this.name = data.name
    this.startTime = data.startTime
    this.thresholds = data.thresholds
    this.errors = data.metrics.errors
  }

  get duration(): number { return this.durationMs }
  /** True when no threshold failed. */
  get thresholdsPassed(): boolean { return this.thresholds.every((t) => t.ok) }
  get aborted(): ResultData['aborted'] { return this.data.aborted }
  /** The generator's own health per worker thread (event-loop delay, CPU) and its verdict. */
  get generator(): NonNullable<ResultData['generator']> {
    return this.data.generator ?? { healthy: true, problems: [], workers: [] }
  }

  /** Bytes written and read on the wire (headers included). */
  get dataTransfer(): { sent: number; received: number } {
    return { sent: this.index.get('data_sent')?.count ?? 0, received: this.index.get('data_received')?.count ?? 0 }
  }

  /** Per-second figures of the main metrics. */
  get timeline(): readonly TimelinePoint[] {
    if (this.timelineCache) return this.timelineCache
    const names = this.timelineMetrics()
    this.timelineCache = this.data.metrics.timeline.map((s) => timelinePoint(s, names))
    return this.timelineCache
  }

  /**
   * @internal One second of the timeline (negative: from the end) without decoding the others:
   * live progress reads the last second or two of a result rebuilt every second.
   */
  timelineAt(i: number): TimelinePoint | undefined {
    const s = this.data.metrics.timeline.at(i)
    return s && timelinePoint(s, this.timelineMetrics())
  }

  /** The latency trend, request counter and failure rate the timeline reads. */
  private timelineMetrics(): TimelineMetrics {
    const latency = this.latencyMetric ?? 'http_req_duration'
    const counter = latency === 'grpc_req_duration' ? 'grpc_reqs' : latency === 'iteration_duration' ? 'iterations' : 'http_reqs'
    const failed = latency === 'grpc_req_duration' ? 'grpc_req_failed' : latency === 'iteration_duration' ? 'iteration_failed' : 'http_req_failed'
    return { latency, counter, failed }
  }

  /**
   * `'before' | 'during' | 'after'` (add `:i` for fault i, e.g. `'during:1'`): the seconds before,
   * during and after the run's faults, as a view of the main metrics (p95, error rate, throughput).
   * Any other name narrows to a `phase` tag, as on every view.
   */
  override phase(name: FaultPhaseKey): FaultPhaseView
  override phase(name: string): MetricView
  override phase(name: string): MetricView {
    const asked = parsePhaseName(name)
    return asked ? this.faultPhase(asked.fault, asked.phase) : super.phase(name)
  }

  /** The seconds before, during or after fault `index` (null: all faults together). */
  faultPhase(index: number | null, phase: FaultPhaseName): FaultPhaseView {
    const window = phaseWindow(this.data, phase, index)
    const { index: series, spanMs, seconds } = phaseIndex(this.data, window)
    return new FaultPhaseView(series, `${this.name} › ${phase}${index === null ? '' : `:${index}`}`, spanMs, window.fromMs, window.toMs, seconds)
  }

  /** The serialisable form (JSON-safe, mergeable). */
  toJSON(): ResultData { return this.data }

}

interface TimelineMetrics { latency: string; counter: string; failed: string }

function timelinePoint(s: SerializedSecond, m: TimelineMetrics): TimelinePoint {
  const enc = trendOf(s, m.latency)
  const h = enc ? decodeHistogram(enc) : null
  const at = (p: number) => (h ? percentileUs(h, p) / 1000 : 0)
  const d = s.d ?? 1
  const perSecond = (n: number | undefined) => (n ?? 0) / d
  return { t: s.t, seconds: d, requests: perSecond(s.counters[m.counter]), errors: perSecond(s.rates[m.failed]?.[0]), vus: s.gauges['vus'] ?? 0,
    p50: at(50), p95: at(95), p99: at(99), max: h && h.totalCount ? h.maxValue / 1000 : 0,
    dataSent: perSecond(s.counters['data_sent']), dataReceived: perSecond(s.counters['data_received']) }
}

function onlyType<T extends MetricSummary['type']>(m: MetricSummary | undefined, type: T): Extract<MetricSummary, { type: T }> | undefined {
  return m && m.type === type ? (m as Extract<MetricSummary, { type: T }>) : undefined
}
