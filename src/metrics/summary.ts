/**
 * Read side of serialised metrics: merges the series that match a name and tag filter (exactly,
 * through their histograms) and computes the figures thresholds, matchers and reports show.
 */
import type { SerializedSeries } from './serialized.ts'
import type { MetricValues } from './values.ts'
import { decodeHistogram, mergeEncoded, type Histogram } from './histogram.ts'
import { percentileUs } from './percentile.ts'
import { seriesKey, tagsMatch } from './series-key.ts'

type TagFilter = Readonly<Record<string, string>>

/** Trend figures in milliseconds (µs precision). */
export interface TrendSummary {
  readonly type: 'trend'
  readonly count: number
  readonly min: number
  readonly max: number
  readonly mean: number
  readonly p50: number
  readonly p90: number
  readonly p95: number
  readonly p99: number
  readonly p999: number
}
export interface CounterSummary { readonly type: 'counter'; readonly count: number; /** per second */ readonly rate: number }
export interface RateSummary { readonly type: 'rate'; readonly passes: number; readonly fails: number; readonly rate: number }
export interface GaugeSummary { readonly type: 'gauge'; readonly value: number; readonly min: number; readonly max: number }
export type MetricSummary = TrendSummary | CounterSummary | RateSummary | GaugeSummary

/** Merged view of all series of one metric that match a filter. Histogram decoded once, on demand. */
export class MergedMetric {
  private hist: Histogram | null = null
  constructor(readonly type: SerializedSeries['type'], private readonly parts: readonly SerializedSeries[], private readonly durationMs: number) {}

  get count(): number { return this.parts.reduce((a, s) => a + s.count, 0) }

  values(): MetricValues {
    const parts = this.parts
    switch (this.type) {
      case 'trend': {
        const count = this.count
        const minUs = count ? Math.min(...parts.filter((s) => s.count).map((s) => s.min)) : 0
        const maxUs = count ? Math.max(...parts.map((s) => s.max)) : 0
        const sum = parts.reduce((a, s) => a + s.sum, 0)
        const hist = this.histogram()
        return { type: 'trend', count, min: minUs / 1000, max: maxUs / 1000, avg: count ? sum / count / 1000 : 0,
          percentile: (p: number) => percentileUs(hist, p, { minUs, maxUs }) / 1000 }
      }
      case 'counter': {
        const count = this.count
        return { type: 'counter', count, rate: this.durationMs > 0 ? count / (this.durationMs / 1000) : 0 }
      }
      case 'rate': {
        const passes = parts.reduce((a, s) => a + s.sum, 0)
        const fails = this.count - passes
        return { type: 'rate', passes, fails, rate: passes + fails ? passes / (passes + fails) : 0 }
      }
      case 'gauge': {
        // Series of one gauge with different tags are summed (e.g. vus per scenario).
        return { type: 'gauge', value: parts.reduce((a, s) => a + s.sum, 0),
          min: parts.reduce((a, s) => a + s.min, 0), max: parts.reduce((a, s) => a + s.max, 0) }
      }
    }
  }

  summary(): MetricSummary {
    const v = this.values()
    if (v.type !== 'trend') return v.type === 'counter' ? { type: 'counter', count: v.count, rate: v.rate } : { ...v }
    return { type: 'trend', count: v.count, min: v.min, max: v.max, mean: v.avg, p50: v.percentile(50),
      p90: v.percentile(90), p95: v.percentile(95), p99: v.percentile(99), p999: v.percentile(99.9) }
  }

  private histogram(): Histogram {
    if (!this.hist) {
      this.hist = this.parts.length === 1 ? decodeHistogram(this.parts[0]?.hist ?? '') : mergeEncoded(this.parts.map((s) => s.hist ?? ''))
    }
    return this.hist
  }
}

/** Index over a run's series: answers name + tag-filter lookups, caching merged results. */
export class SeriesIndex {
  private readonly byName = new Map<string, SerializedSeries[]>()
  private readonly cache = new Map<string, MergedMetric | null>()
  constructor(series: readonly SerializedSeries[], private readonly durationMs: number) {
    for (const s of series) {
      const list = this.byName.get(s.name)
      if (list) list.push(s)
      else this.byName.set(s.name, [s])
    }
  }

  names(): string[] { return [...this.byName.keys()] }

  /** All distinct values of a tag across the series of a metric (e.g. endpoint names). */
  tagValues(name: string, tag: string): string[] {
    const out = new Set<string>()
    for (const s of this.byName.get(name) ?? []) { const v = s.tags[tag]; if (v !== undefined) out.add(v) }
    return [...out]
  }

  get(name: string, filter?: TagFilter): MergedMetric | undefined {
    const key = seriesKey(name, filter)
    let m = this.cache.get(key)
    if (m === undefined) {
      // Series with no samples (handles made but never used) do not make a metric exist.
      const parts = (this.byName.get(name) ?? []).filter((s) => s.count > 0 && tagsMatch(s.tags, filter))
      m = parts.length ? new MergedMetric((parts[0] as SerializedSeries).type, parts, this.durationMs) : null
      this.cache.set(key, m)
    }
    return m ?? undefined
  }
}
