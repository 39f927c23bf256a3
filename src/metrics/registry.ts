/**
 * The metric store of one run in one thread. Drivers and the VU loop look series up once and keep
 * the handle; `add()` then touches only that series and its metric's per-second window.
 *
 * The run controller calls `closeSecond()` once a second: the per-metric windows become a timeline
 * entry. `snapshot()` gives the serialisable form that crosses threads and merges exactly;
 * `totals()` and `drainTimeline()` give it in parts, for streaming only what changed.
 */
import type {
  CounterHandle, ErrorSample, GaugeHandle, MetricSink, MetricType, RateHandle, Tags, TrendHandle,
} from './sink.ts'
import type { SerializedErrorSample, SerializedMetrics, SerializedSecond, SerializedSeries } from './serialized.ts'
import { createHistogram, encodeHistogram, msToMicros, type Histogram } from './histogram.ts'
import { seriesKey } from './series-key.ts'
import { ErrorTally } from './error-tally.ts'
import { MetricTypeError } from '../errors.ts'
import { windowOf } from './timeline.ts'
import { compactSecond } from './compact-second.ts'

/** Per metric name, what happened in the current timeline window (all tag sets together). */
class Window {
  hist: Histogram | null = null
  sum = 0
  fails = 0
  gauge = 0
  touched = false
  constructor(readonly type: MetricType) {}
  reset(): void {
    if (this.hist) this.hist.reset()
    this.sum = 0
    this.fails = 0
    this.touched = false
  }
}

/**
 * Trends recorded on every HTTP request whose per-second distribution nothing reads (the timeline,
 * HTML report, Locust history and baselines read the latency metric): they keep their whole-run
 * histogram but no per-second one, which saves four histogram records per request
 * (docs/performance.md).
 */
const NO_PER_SECOND = new Set(['http_req_blocked', 'http_req_connecting', 'http_req_sending', 'http_req_waiting', 'http_req_receiving'])

class TrendSeries implements TrendHandle {
  readonly hist = createHistogram()
  count = 0
  sum = 0
  min = Infinity
  max = 0
  /** The metric's histogram of the current second, or null when it keeps none. */
  private readonly second: Histogram | null
  constructor(readonly name: string, readonly tags: Tags, private readonly window: Window) {
    this.second = NO_PER_SECOND.has(name) ? null : (window.hist ??= createHistogram())
  }
  add(ms: number): void {
    const us = msToMicros(ms)
    this.hist.recordValue(us)
    this.count++
    this.sum += us
    if (us < this.min) this.min = us
    if (us > this.max) this.max = us
    if (this.second) {
      this.second.recordValue(us)
      this.window.touched = true
    }
  }
  serialize(): SerializedSeries {
    return { name: this.name, type: 'trend', tags: this.tags, count: this.count, sum: this.sum,
      min: this.count ? this.min : 0, max: this.max, hist: encodeHistogram(this.hist) }
  }
}

class CounterSeries implements CounterHandle {
  sum = 0
  constructor(readonly name: string, readonly tags: Tags, private readonly window: Window) {}
  add(n: number): void {
    this.sum += n
    this.window.sum += n
    this.window.touched = true
  }
  serialize(): SerializedSeries {
    return { name: this.name, type: 'counter', tags: this.tags, count: this.sum, sum: this.sum, min: 0, max: 0 }
  }
}

class RateSeries implements RateHandle {
  passes = 0
  fails = 0
  constructor(readonly name: string, readonly tags: Tags, private readonly window: Window) {}
  add(ok: boolean): void {
    if (ok) { this.passes++; this.window.sum++ } else { this.fails++; this.window.fails++ }
    this.window.touched = true
  }
  serialize(): SerializedSeries {
    return { name: this.name, type: 'rate', tags: this.tags, count: this.passes + this.fails, sum: this.passes, min: 0, max: 0 }
  }
}

class GaugeSeries implements GaugeHandle {
  count = 0
  value = 0
  min = Infinity
  max = -Infinity
  constructor(readonly name: string, readonly tags: Tags, private readonly window: Window) {}
  add(value: number): void {
    this.count++
    this.value = value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
    this.window.gauge = value
    this.window.touched = true
  }
  serialize(): SerializedSeries {
    return { name: this.name, type: 'gauge', tags: this.tags, count: this.count, sum: this.value,
      min: this.count ? this.min : 0, max: this.count ? this.max : 0 }
  }
}

type AnySeries = TrendSeries | CounterSeries | RateSeries | GaugeSeries

export class MetricsRegistry implements MetricSink {
  private readonly series = new Map<string, AnySeries>()
  private readonly windows = new Map<string, Window>()
  private readonly timeline: SerializedSecond[] = []
  private readonly errors: ErrorTally
  private second = 0

  /**
   * @param worker index of the thread this registry records on (named on the exceptions it counts).
   * @param onNewMetric called once per metric name, when the first series of that name is made:
   *   the moment a custom metric's type becomes known, which thresholds check (threshold-metrics.ts).
   */
  constructor(worker = 0, private readonly onNewMetric?: (name: string, type: MetricType) => void) {
    this.errors = new ErrorTally(worker)
  }

  trend(name: string, tags: Tags = EMPTY): TrendHandle {
    return this.get(name, 'trend', tags) as TrendSeries
  }
  counter(name: string, tags: Tags = EMPTY): CounterHandle {
    return this.get(name, 'counter', tags) as CounterSeries
  }
  rate(name: string, tags: Tags = EMPTY): RateHandle {
    return this.get(name, 'rate', tags) as RateSeries
  }
  gauge(name: string, tags: Tags = EMPTY): GaugeHandle {
    return this.get(name, 'gauge', tags) as GaugeSeries
  }
  error(sample: ErrorSample): void {
    this.errors.add(sample)
  }

  /**
   * Ends the current second. When it ends its timeline window (every second in the first hour,
   * coarser after: src/metrics/timeline.ts), or `last` is set (the run ended), the window becomes
   * a timeline entry; otherwise the second's samples stay in the open window.
   */
  closeSecond(last = false): void {
    const s = this.second++
    const w = windowOf(s)
    if (!last && s + 1 < w.start + w.seconds) return
    const d = s + 1 - w.start
    const entry: { t: number; d?: number; counters: Record<string, number>; rates: Record<string, [number, number]>;
      gauges: Record<string, number>; trends: Record<string, string> } =
      { t: w.start, ...(d > 1 ? { d } : {}), counters: {}, rates: {}, gauges: {}, trends: {} }
    for (const [name, w] of this.windows) {
      // Gauges persist: a gauge that did not change this second still has its value (vus).
      if (w.type === 'gauge') { entry.gauges[name] = w.gauge; continue }
      if (!w.touched) continue
      if (w.type === 'counter') entry.counters[name] = w.sum
      else if (w.type === 'rate') entry.rates[name] = [w.sum, w.fails]
      else if (w.hist) entry.trends[name] = encodeHistogram(w.hist)
      w.reset()
    }
    // Held as bytes: with `workers: 0` this registry keeps the whole run's timeline (compact-second.ts).
    this.timeline.push(compactSecond(entry))
  }

  /** The serialisable state so far (the timeline holds closed windows only). */
  snapshot(): SerializedMetrics {
    return { ...this.totals(), timeline: this.timeline.slice() }
  }

  /** The running totals (every series, the error tally) without the timeline. */
  totals(): Omit<SerializedMetrics, 'timeline'> {
    const series: SerializedSeries[] = []
    for (const s of this.series.values()) series.push(s.serialize())
    return { series, errors: this.errors.serialize() }
  }

  /**
   * The timeline entries closed since the last drain, removed from the registry: a worker streams
   * them to the test's thread once and keeps none, so its memory does not grow with the run.
   */
  drainTimeline(): SerializedSecond[] {
    return this.timeline.splice(0, this.timeline.length)
  }

  private get(name: string, type: MetricType, tags: Tags): AnySeries {
    const key = seriesKey(name, tags)
    let s = this.series.get(key)
    if (s) {
      if (s instanceof SERIES_CLASS[type]) return s
      throw new MetricTypeError(`Metric "${name}" is a ${typeOf(s)}; it cannot also be used as a ${type}. Use another name.`)
    }
    let w = this.windows.get(name)
    const isNew = !w
    if (!w) { w = new Window(type); this.windows.set(name, w) }
    else if (w.type !== type) throw new MetricTypeError(`Metric "${name}" is a ${w.type}; it cannot also be used as a ${type}. Use another name.`)
    const frozen = Object.freeze({ ...tags })
    s = new SERIES_CLASS[type](name, frozen, w)
    this.series.set(key, s)
    // After the series is stored, so a listener that records metrics itself finds it.
    if (isNew) this.onNewMetric?.(name, type)
    return s
  }
}

const EMPTY: Tags = Object.freeze({})
const SERIES_CLASS = { trend: TrendSeries, counter: CounterSeries, rate: RateSeries, gauge: GaugeSeries } as const
function typeOf(s: AnySeries): MetricType {
  return s instanceof TrendSeries ? 'trend' : s instanceof CounterSeries ? 'counter' : s instanceof RateSeries ? 'rate' : 'gauge'
}

export type { SerializedErrorSample }
