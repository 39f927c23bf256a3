import { describe, expect, test } from 'vitest'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { aggregateMetrics } from '../../src/metrics/aggregate.ts'
import { PerfResult } from '../../src/metrics/result.ts'
import type { SerializedMetrics } from '../../src/metrics/serialized.ts'

/** Deterministic pseudo-random numbers, so the test data is the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

/** k6's percentile (metrics/sink.go, TrendSink.P): linear between the samples at ranks ⌊i⌋ and ⌈i⌉, i = p·(n − 1). */
function k6Percentile(sorted: number[], p: number): number {
  const i = (p / 100) * (sorted.length - 1)
  const j = sorted[Math.floor(i)] as number
  return j + ((sorted[Math.ceil(i)] as number) - j) * (i - Math.floor(i))
}

function result(metrics: SerializedMetrics, durationMs = 10_000): PerfResult {
  return new PerfResult({ version: 1, name: 't', startTime: 0, durationMs, metrics, thresholds: [] })
}

describe('MetricsRegistry', () => {
  test('trend percentiles are the percentiles of the recorded samples (within HDR precision)', () => {
    const reg = new MetricsRegistry()
    const h = reg.trend('http_req_duration', { name: 'GET /' })
    const rnd = lcg(1)
    const samples: number[] = []
    for (let i = 0; i < 20_000; i++) {
      const ms = rnd() < 0.9 ? rnd() * 2 : 40 + rnd() * 20
      samples.push(Math.round(ms * 1000) / 1000)
      h.add(ms)
    }
    samples.sort((a, b) => a - b)
    const m = result(reg.snapshot()).trend('http_req_duration')
    expect(m?.count).toBe(20_000)
    expect(m?.min).toBeCloseTo(samples[0] as number, 3)
    expect(m?.max).toBeCloseTo(samples.at(-1) as number, 3)
    expect(m?.mean).toBeCloseTo(samples.reduce((a, b) => a + b, 0) / samples.length, 2)
    for (const [p, key] of [[50, 'p50'], [90, 'p90'], [95, 'p95'], [99, 'p99']] as const) {
      const truth = k6Percentile(samples, p)
      expect(Math.abs((m?.[key] as number) - truth)).toBeLessThanOrEqual(truth * 0.001 + 0.001)
    }
  })

  test('merging per-worker snapshots gives exactly the single-registry figures', () => {
    const whole = new MetricsRegistry()
    const parts = [new MetricsRegistry(), new MetricsRegistry(), new MetricsRegistry()]
    const rnd = lcg(7)
    for (let i = 0; i < 9_000; i++) {
      const ms = rnd() * 100
      const status = rnd() < 0.05 ? '500' : '200'
      const part = parts[i % 3] as MetricsRegistry
      for (const reg of [whole, part]) {
        reg.trend('http_req_duration', { name: 'GET /x', status }).add(ms)
        reg.counter('http_reqs', { name: 'GET /x', status }).add(1)
        reg.rate('http_req_failed', { name: 'GET /x', status }).add(status === '500')
        if (status === '500') reg.error({ kind: '5xx', status: 500, message: 'Internal Server Error', endpoint: 'GET /x' })
      }
    }
    for (const reg of [whole, ...parts]) reg.closeSecond()
    const merged = result(aggregateMetrics(parts.map((p) => p.snapshot())))
    const single = result(whole.snapshot())
    expect(merged.metric('http_req_duration')).toEqual(single.metric('http_req_duration'))
    expect(merged.metric('http_reqs')).toEqual(single.metric('http_reqs'))
    expect(merged.metric('http_req_failed')).toEqual(single.metric('http_req_failed'))
    expect(merged.metric('http_req_duration', { status: '500' })).toEqual(single.metric('http_req_duration', { status: '500' }))
    expect(merged.errors.total).toBe(single.errors.total)
    expect(merged.errors.byStatus).toEqual(single.errors.byStatus)
    expect(merged.timeline).toEqual(single.timeline)
    expect(merged.errorRate).toBe(single.errorRate)
  })

  test('merging parts with very different ranges (µs and minutes) in the same second is exact', () => {
    const a = new MetricsRegistry()
    const b = new MetricsRegistry()
    a.trend('http_req_duration').add(0.05)
    b.trend('http_req_duration').add(120_000)
    a.closeSecond()
    b.closeSecond()
    const merged = result(aggregateMetrics([a.snapshot(), b.snapshot()]))
    expect(merged.trend('http_req_duration')).toMatchObject({ count: 2, min: 0.05, max: 120_000 })
    expect(merged.timeline[0]?.max).toBeGreaterThanOrEqual(119_900)
  })

  test('counters report a per-second rate over the run and rates count true samples', () => {
    const reg = new MetricsRegistry()
    for (let i = 0; i < 50; i++) reg.counter('http_reqs').add(1)
    for (let i = 0; i < 10; i++) reg.rate('checks').add(i < 9)
    const r = result(reg.snapshot(), 5_000)
    expect(r.metric('http_reqs')).toEqual({ type: 'counter', count: 50, rate: 10 })
    expect(r.metric('checks')).toEqual({ type: 'rate', passes: 9, fails: 1, rate: 0.9 })
  })

  test('a name used with two types is refused with a clear error', () => {
    const reg = new MetricsRegistry()
    reg.trend('latency')
    expect(() => reg.counter('latency')).toThrow(/"latency" is a trend; it cannot also be used as a counter/)
  })

  test('error samples are bounded but every error is counted', () => {
    const reg = new MetricsRegistry()
    for (let i = 0; i < 500; i++) reg.error({ kind: 'refused', message: `connect ECONNREFUSED #${i}` })
    const e = reg.snapshot().errors
    expect(e.total).toBe(500)
    expect(e.byKind.refused).toBe(500)
    expect(e.samples.length).toBe(50)
  })

  test('error samples keep when they were first and last seen, and exceptions their stack and threads, across a merge', () => {
    /** Waits until the wall clock has moved past `t` (bounded), so two records get different times. */
    const after = (t: number) => { for (let i = 0; i < 1e8 && Date.now() <= t; i++); return Date.now() }
    const frames = '    at fn (/suite/a.perf.ts:3:9)'
    const w0 = new MetricsRegistry(0)
    const w1 = new MetricsRegistry(1)
    const t0 = Date.now()
    w0.error({ kind: '5xx', status: 500, message: '500 Internal Server Error', endpoint: 'GET /x' })
    w0.error({ kind: 'exception', message: 'Error: boom', endpoint: 'default', stack: frames })
    const t1 = after(t0)
    w1.error({ kind: '5xx', status: 500, message: '500 Internal Server Error', endpoint: 'GET /x' })
    w1.error({ kind: 'exception', message: 'Error: boom', endpoint: 'default', stack: frames })
    w1.error({ kind: 'exception', message: 'Error: boom', endpoint: 'default', stack: '    at other (/suite/b.perf.ts:1:1)' })
    const t2 = Date.now()
    const merged = aggregateMetrics([w0.snapshot(), w1.snapshot()]).errors
    const http = merged.samples.find((s) => s.kind === '5xx')
    expect(http).toMatchObject({ count: 2 })
    expect(http?.firstSeen).toBeGreaterThanOrEqual(t0)
    expect(http?.firstSeen).toBeLessThan(t1)
    expect(http?.lastSeen).toBeGreaterThanOrEqual(t1)
    expect(http?.lastSeen).toBeLessThanOrEqual(t2)
    expect(http?.stack).toBeUndefined()
    const thrown = merged.samples.filter((s) => s.kind === 'exception')
    expect(thrown.map((s) => [s.count, s.stack, s.workers])).toEqual([[2, frames, [0, 1]], [1, '    at other (/suite/b.perf.ts:1:1)', [1]]])
  })

  test('the timeline keeps one entry per closed second with that second\'s samples only', () => {
    const reg = new MetricsRegistry()
    reg.trend('http_req_duration').add(10)
    reg.counter('http_reqs').add(1)
    reg.gauge('vus').add(3)
    reg.closeSecond()
    reg.trend('http_req_duration').add(30)
    reg.trend('http_req_duration').add(30)
    reg.counter('http_reqs').add(2)
    reg.closeSecond()
    const tl = result(reg.snapshot()).timeline
    expect(tl.map((p) => [p.t, p.requests, p.vus])).toEqual([[0, 1, 3], [1, 2, 3]])
    expect(tl[0]?.p50).toBeCloseTo(10, 1)
    expect(tl[1]?.p50).toBeCloseTo(30, 1)
  })

  test('one timeline second read on its own equals that second of the whole timeline', () => {
    const reg = new MetricsRegistry()
    for (const ms of [[5, 7], [30, 31, 90]]) {
      for (const v of ms) { reg.trend('http_req_duration').add(v); reg.counter('http_reqs').add(1) }
      reg.closeSecond()
    }
    const r = result(reg.snapshot())
    expect(r.timelineAt(-1)).toEqual(r.timeline[1])
    expect(r.timelineAt(0)).toEqual(r.timeline[0])
    expect(r.timelineAt(-3)).toBeUndefined()
  })

  test('HTTP timing-breakdown trends keep their whole-run figures but no per-second histogram', () => {
    const reg = new MetricsRegistry()
    reg.trend('http_req_duration').add(12)
    reg.trend('http_req_waiting').add(11)
    reg.trend('my_custom').add(5)
    reg.closeSecond()
    const snap = reg.snapshot()
    expect(Object.keys(snap.timeline[0]?.trends ?? {}).sort()).toEqual(['http_req_duration', 'my_custom'])
    const waiting = result(snap).trend('http_req_waiting')
    expect(waiting?.count).toBe(1)
    expect(waiting?.p50).toBeCloseTo(11, 1)
  })
})
