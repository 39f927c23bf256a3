/**
 * The figures a comparison needs, small enough to keep in git as a baseline: p95, error rate and
 * throughput overall and per endpoint, plus the per-second series that measure a run's own noise.
 */
import type { MetricView, PerfResult } from '../metrics/result.ts'
import { decodeHistogram } from '../metrics/histogram.ts'
import { trendOf } from '../metrics/compact-second.ts'
import { percentileUs } from '../metrics/percentile.ts'

export interface ScopeFigures {
  readonly p95: number | null
  readonly errorRate: number
  readonly requests: number
  readonly throughput: number
}

export interface Figures {
  readonly version: 1
  readonly name: string
  readonly all: ScopeFigures
  readonly endpoints: Readonly<Record<string, ScopeFigures>>
  /** p95 of each second with at least 5 samples, ms. */
  readonly secondsP95: readonly number[]
  /** Requests completed in each second. */
  readonly secondsRequests: readonly number[]
}

function scope(v: MetricView): ScopeFigures {
  const l = v.latency
  return { p95: l && l.count ? round(l.p95) : null, errorRate: v.errorRate, requests: v.requests, throughput: round(v.throughput) }
}

export function figuresOf(result: PerfResult): Figures {
  const metric = result.latencyMetric ?? 'http_req_duration'
  const secondsP95: number[] = []
  for (const s of result.data.metrics.timeline) {
    const enc = trendOf(s, metric)
    if (!enc) continue
    const h = decodeHistogram(enc)
    if (h.totalCount >= 5) secondsP95.push(round(percentileUs(h, 95) / 1000))
  }
  return {
    version: 1, name: result.name, all: scope(result),
    endpoints: Object.fromEntries(result.endpoints().sort().map((n) => [n, scope(result.endpoint(n))])),
    secondsP95, secondsRequests: result.timeline.map((p) => p.requests),
  }
}

/** Checks that parsed JSON is a Figures record; returns what is wrong, or null. */
export function figuresProblem(x: unknown): string | null {
  const f = x as Partial<Figures> | null
  if (!f || typeof f !== 'object') return 'not an object'
  if (f.version !== 1) return 'unknown version (expected 1)'
  const okScope = (s: unknown) => !!s && typeof s === 'object' && ['errorRate', 'requests', 'throughput'].every((k) => typeof (s as Record<string, unknown>)[k] === 'number')
    && ((s as ScopeFigures).p95 === null || typeof (s as ScopeFigures).p95 === 'number')
  if (!okScope(f.all)) return '"all" is missing or malformed'
  if (!f.endpoints || typeof f.endpoints !== 'object' || !Object.values(f.endpoints).every(okScope)) return '"endpoints" is missing or malformed'
  if (!Array.isArray(f.secondsP95) || !f.secondsP95.every((n) => typeof n === 'number')) return '"secondsP95" must be an array of numbers'
  if (!Array.isArray(f.secondsRequests) || !f.secondsRequests.every((n) => typeof n === 'number')) return '"secondsRequests" must be an array of numbers'
  return null
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000
}
