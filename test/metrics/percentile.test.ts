/**
 * Percentiles are k6's (metrics/sink.go, TrendSink.P: i = p·(n − 1), linear between the samples at
 * ranks ⌊i⌋ and ⌈i⌉), read from HDR histograms within 0.1 % of the exact figure: by the pure
 * function itself, by result.metric(), thresholds, matchers, merged results, the timeline and reports.
 */
import { UsageError } from '../../src/errors.ts'
import { beforeAll, describe, expect, test } from 'vitest'
import { createHistogram, msToMicros } from '../../src/metrics/histogram.ts'
import { percentileUs } from '../../src/metrics/percentile.ts'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { aggregateMetrics } from '../../src/metrics/aggregate.ts'
import { PerfResult } from '../../src/metrics/result.ts'
import { evaluateThresholds, parseThresholds } from '../../src/metrics/thresholds.ts'
import { registerMatchers } from '../../src/plugin/vitest/register.ts'
import { locustCsv } from '../../src/report/locust-csv.ts'
import { figuresOf } from '../../src/report/figures.ts'
import type { SerializedMetrics } from '../../src/metrics/serialized.ts'

/** k6's TrendSink.P, exactly: the reference every figure below is held to. `p` is 0–100. */
function k6Percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  if (sorted.length === 0) return 0
  if (sorted.length === 1) return sorted[0] as number
  const i = (p / 100) * (sorted.length - 1)
  const j = sorted[Math.floor(i)] as number
  const k = sorted[Math.ceil(i)] as number
  return j + (k - j) * (i - Math.floor(i))
}

/** Deterministic pseudo-random numbers, so the sample sets are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

/** Samples in ms with µs resolution, as loadspec records them. */
const atMicros = (ms: number) => msToMicros(ms) / 1000

const SETS: Record<string, number[]> = {
  'uniform 1..1000 ms': Array.from({ length: 1000 }, (_, i) => i + 1),
  'bimodal: 70 % near 3 ms, 30 % near 200 ms': (() => {
    const rnd = lcg(11)
    return Array.from({ length: 5000 }, () => atMicros(rnd() < 0.7 ? 2 + rnd() * 2 : 150 + rnd() * 100))
  })(),
  '99 × 1 ms and 1 × 1000 ms': [...Array.from({ length: 99 }, () => 1), 1000],
  'k6 sink_test: 0, 100, 30, 80, 70, 60, 50, 40, 90, 20': [0, 100, 30, 80, 70, 60, 50, 40, 90, 20],
  'wide: 1 µs to 10 min, log-uniform': (() => {
    const rnd = lcg(5)
    return Array.from({ length: 3000 }, () => atMicros(0.001 * 600_000_000 ** rnd()))
  })(),
}
const PERCENTILES = [0, 1, 10, 25, 50, 66, 75, 90, 95, 99, 99.9, 99.99, 100]

function expectWithin(actual: number | undefined, exact: number, label: string): void {
  expect(actual, label).toBeDefined()
  expect(Math.abs((actual as number) - exact), `${label}: ${actual} vs exact ${exact}`).toBeLessThanOrEqual(exact * 0.001)
}

function registryOf(samples: readonly number[], parts = 1): MetricsRegistry[] {
  const regs = Array.from({ length: parts }, () => new MetricsRegistry())
  samples.forEach((ms, i) => {
    const reg = regs[i % parts] as MetricsRegistry
    reg.trend('http_req_duration', { name: 'GET /' }).add(ms)
    reg.counter('http_reqs', { name: 'GET /' }).add(1)
  })
  for (const r of regs) r.closeSecond()
  return regs
}
const resultOf = (metrics: SerializedMetrics) => new PerfResult({ version: 1, name: 't', startTime: 0, durationMs: 1000, metrics, thresholds: [] })

describe('percentileUs: k6 percentiles from a histogram', () => {
  test.each(Object.entries(SETS))('%s', (_name, samples) => {
    const h = createHistogram()
    for (const ms of samples) h.recordValue(msToMicros(ms))
    const observed = { minUs: msToMicros(Math.min(...samples)), maxUs: msToMicros(Math.max(...samples)) }
    for (const p of PERCENTILES) expectWithin(percentileUs(h, p, observed) / 1000, k6Percentile(samples, p), `p(${p})`)
  })

  test('99 × 1 ms and 1 × 1000 ms: p(99) is 10.99 ms, as k6 says (nearest rank would say 1)', () => {
    const h = createHistogram()
    for (const ms of SETS['99 × 1 ms and 1 × 1000 ms'] as number[]) h.recordValue(msToMicros(ms))
    expect(percentileUs(h, 99, { minUs: 1000, maxUs: 1_000_000 })).toBeCloseTo(10_990, 6)
    // without the exact bounds (the timeline's case) the top bucket stands in for 1000 ms
    expectWithin(percentileUs(h, 99) / 1000, 10.99, 'p(99), own bounds')
  })

  test('k6 sink_test cases: two values interpolate, one value is every percentile, none is 0', () => {
    const two = createHistogram()
    two.recordValue(5000)
    two.recordValue(10_000)
    expect([0, 50, 95, 99, 100].map((p) => percentileUs(two, p, { minUs: 5000, maxUs: 10_000 }))).toEqual([5000, 7500, 5000 + 5000 * 0.95, 5000 + 5000 * 0.99, 10_000])
    const one = createHistogram()
    one.recordValue(10_000)
    for (const p of [1, 50, 100]) expect(percentileUs(one, p, { minUs: 10_000, maxUs: 10_000 })).toBe(10_000)
    expect(percentileUs(createHistogram(), 95)).toBe(0)
  })

  test('p(0) and p(100) are exactly min and max, even inside wide buckets', () => {
    const h = createHistogram()
    for (const us of [49_990, 50_003, 50_007]) h.recordValue(us)
    const observed = { minUs: 49_990, maxUs: 50_007 }
    expect(percentileUs(h, 0, observed)).toBe(49_990)
    expect(percentileUs(h, 100, observed)).toBe(50_007)
    expect(percentileUs(h, 50, observed)).toBeGreaterThanOrEqual(49_990)
  })

  test('a percentile outside 0…100 is refused', () => {
    expect(() => percentileUs(createHistogram(), 101)).toThrow(/use 0…100/)
    expect(() => percentileUs(createHistogram(), Number.NaN)).toThrow(UsageError)
  })
})

describe('every reader reports k6 percentiles', () => {
  beforeAll(() => registerMatchers())

  test.each(Object.entries(SETS))('result.metric(), query().percentile and merged results: %s', (_name, samples) => {
    const single = resultOf(registryOf(samples)[0]?.snapshot() as SerializedMetrics)
    const merged = resultOf(aggregateMetrics(registryOf(samples, 3).map((r) => r.snapshot())))
    for (const r of [single, merged]) {
      const m = r.trend('http_req_duration')
      for (const [p, key] of [[50, 'p50'], [90, 'p90'], [95, 'p95'], [99, 'p99'], [99.9, 'p999']] as const) expectWithin(m?.[key], k6Percentile(samples, p), key)
      const v = r.query('http_req_duration')
      for (const p of PERCENTILES) expectWithin(v?.type === 'trend' ? v.percentile(p) : undefined, k6Percentile(samples, p), `percentile(${p})`)
    }
    expect(merged.metric('http_req_duration')).toEqual(single.metric('http_req_duration'))
  })

  test('the timeline second holds the same k6 percentiles', () => {
    const samples = SETS['99 × 1 ms and 1 × 1000 ms'] as number[]
    const [point] = resultOf(registryOf(samples)[0]?.snapshot() as SerializedMetrics).timeline
    expectWithin(point?.p50, k6Percentile(samples, 50), 'p50')
    expectWithin(point?.p95, k6Percentile(samples, 95), 'p95')
    expectWithin(point?.p99, k6Percentile(samples, 99), 'p99')
  })

  test('thresholds give k6 verdicts: p(99)<11 passes and p(99)<2 fails for 99 × 1 ms + 1 × 1000 ms; med is p(50)', () => {
    const r = resultOf(registryOf(SETS['99 × 1 ms and 1 × 1000 ms'] as number[])[0]?.snapshot() as SerializedMetrics)
    const outcomes = evaluateThresholds(parseThresholds({ http_req_duration: ['p(99)<11', 'p(99)<2', 'p(99)>10.98'] }), r)
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true])
    expect(outcomes[0]?.actual).toBeCloseTo(10.99, 6)
    const uniform = resultOf(registryOf(SETS['uniform 1..1000 ms'] as number[])[0]?.snapshot() as SerializedMetrics)
    const [med, p50] = evaluateThresholds(parseThresholds({ http_req_duration: ['med<501', 'p(50)<501'] }), uniform)
    expect([med?.ok, p50?.ok]).toEqual([true, true])
    expect(med?.actual).toBe(p50?.actual)
    expectWithin(med?.actual ?? undefined, 500.5, 'med')
  })

  test('reports too: Locust stats and history, and the per-second p95 baselines compare', () => {
    // 19 × 1 ms and 1 × 1000 ms: k6's p(95) is 1 + 0.05 · 999 = 50.95 ms; the nearest rank is 1 ms.
    const samples = [...Array.from({ length: 19 }, () => 1), 1000]
    const r = resultOf(registryOf(samples)[0]?.snapshot() as SerializedMetrics)
    const exact = k6Percentile(samples, 95)
    expect(exact).toBeCloseTo(50.95, 9)
    // Locust writes percentiles as whole ms: the k6 figure, rounded (Aggregated is the stats file's
    // last row, the history's rows are Aggregated per second).
    const column = (csv: string, header: string, name: string) => {
      const lines = csv.trim().split('\r\n').map((l) => l.split(','))
      const head = lines[0] as string[]
      const row = lines.find((l) => l[head.indexOf('Name')] === name)
      return Number(row?.[head.indexOf(header)])
    }
    const { stats, history } = locustCsv(r)
    expect(column(stats, '95%', 'Aggregated')).toBe(Math.round(exact))
    expect(column(history, '95%', 'Aggregated')).toBe(Math.round(exact))
    expectWithin(figuresOf(r).secondsP95[0], exact, 'figures secondsP95')
  })

  test('matchers read the same figure', () => {
    const r = resultOf(registryOf(SETS['99 × 1 ms and 1 × 1000 ms'] as number[])[0]?.snapshot() as SerializedMetrics)
    expect(r).toHaveP99Below(11)
    expect(r).not.toHaveP99Below(10.9)
    expect(r).toHavePercentileBelow(99, 11)
    expect(r).not.toHavePercentileBelow(99, 2)
    expect(r.endpoint('GET /')).not.toHaveP99Below(10.9)
  })
})
