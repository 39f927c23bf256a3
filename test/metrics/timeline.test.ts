import { describe, expect, test } from 'vitest'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { aggregateMetrics } from '../../src/metrics/aggregate.ts'
import { PerfResult } from '../../src/metrics/result.ts'
import type { SerializedMetrics, SerializedSecond } from '../../src/metrics/serialized.ts'
import { TimelineBuilder, windowOf } from '../../src/metrics/timeline.ts'

function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

function result(metrics: SerializedMetrics, durationMs: number): PerfResult {
  return new PerfResult({ version: 1, name: 't', startTime: 0, durationMs, metrics, thresholds: [] })
}

/** One second of load: `n` requests of random latency into every registry given (the whole run and one worker's). */
function load(regs: MetricsRegistry[], rnd: () => number, n: number, vus: number): void {
  for (let i = 0; i < n; i++) {
    const ms = rnd() < 0.95 ? 0.2 + rnd() * 3 : 40 + rnd() * 400
    const status = rnd() < 0.03 ? '503' : '200'
    for (const reg of regs) {
      reg.trend('http_req_duration', { name: 'GET /', status }).add(ms)
      reg.counter('http_reqs', { name: 'GET /', status }).add(1)
      reg.rate('http_req_failed', { name: 'GET /', status }).add(status !== '200')
    }
  }
  for (const reg of regs) reg.gauge('vus').add(vus)
}

describe('timeline windows', () => {
  test.each([
    [0, 0, 1], [59, 59, 1], [3_599, 3_599, 1],
    [3_600, 3_600, 10], [3_609, 3_600, 10], [3_610, 3_610, 10], [21_599, 21_590, 10],
    [21_600, 21_600, 60], [21_719, 21_660, 60], [86_399, 86_340, 60],
    [86_400, 86_400, 600], [100_000, 99_600, 600],
  ])('second %i is in the window starting at %i, %i s wide', (s, start, seconds) => {
    expect(windowOf(s)).toEqual({ start, seconds })
  })

  test('a registry closes one entry per window: seconds in the first hour, 10 s windows after it', () => {
    const reg = new MetricsRegistry()
    const rnd = lcg(3)
    for (let s = 0; s < 3_625; s++) {
      load([reg], rnd, 2, 1)
      reg.closeSecond(s === 3_624)
    }
    const tl = reg.snapshot().timeline
    // 3 600 one-second entries, two full 10 s windows, and the run's last 5 seconds.
    expect(tl.length).toBe(3_603)
    expect(tl.slice(3_599).map((e) => [e.t, e.d ?? 1, e.counters['http_reqs']])).toEqual([[3_599, 1, 2], [3_600, 10, 20], [3_610, 10, 20], [3_620, 5, 10]])
    // Figures per second over the window, so a chart's rate does not jump at the first hour.
    const r = result(reg.snapshot(), 3_625_000)
    expect(r.timeline.at(-3)).toMatchObject({ t: 3_600, seconds: 10, requests: 2, vus: 1 })
    expect(r.timeline.at(-1)).toMatchObject({ t: 3_620, seconds: 5, requests: 2 })
  })
})

describe('timeline of a run streamed by several workers', () => {
  /**
   * Three workers record their shares of the same samples a single registry records, and stream
   * their newly closed windows every second as a pool worker does (drained, so they keep none),
   * in an order that varies, with one worker's snapshots lagging the others. The run lasts past
   * the first hour, so coarse windows are merged too, and one worker stops 3 s early.
   */
  test('the merged timeline equals the single-registry timeline of the same samples', () => {
    const whole = new MetricsRegistry()
    const workers = [new MetricsRegistry(), new MetricsRegistry(), new MetricsRegistry()]
    const stopsAt = [3_617, 3_617, 3_614]
    const rnd = lcg(11)
    const order = lcg(5)
    const parent = new TimelineBuilder()
    const lagging: SerializedSecond[] = []
    for (let s = 0; s < 3_618; s++) {
      workers.forEach((w, i) => { if (s <= (stopsAt[i] as number)) load([whole, w], rnd, 1 + Math.floor(rnd() * 4), i + 1) })
      whole.closeSecond(s === 3_617)
      workers.forEach((w, i) => { if (s <= (stopsAt[i] as number)) w.closeSecond(s === stopsAt[i]) })
      const batches = workers.map((w) => w.drainTimeline())
      lagging.push(...(batches[2] as SerializedSecond[]))
      // Worker 2's snapshots arrive in bursts; the other two in an order that changes.
      const first = order() < 0.5 ? 0 : 1
      parent.add(batches[first] as SerializedSecond[])
      parent.add(batches[1 - first] as SerializedSecond[])
      if (s % 7 === 0 || s === 3_617) parent.add(lagging.splice(0))
    }
    for (const w of workers) expect(w.snapshot().timeline).toEqual([])
    const single = whole.snapshot().timeline
    const merged = parent.entries()
    expect(merged.map((e) => [e.t, e.d ?? 1])).toEqual(single.map((e) => [e.t, e.d ?? 1]))
    expect(merged.map((e) => e.counters)).toEqual(single.map((e) => e.counters))
    expect(merged.map((e) => e.rates)).toEqual(single.map((e) => e.rates))
    // Histograms: the same counts in the same buckets, hence the same encoding.
    expect(merged.map((e) => e.trends)).toEqual(single.map((e) => e.trends))
    // Gauges add up over workers (each worker's last value in the window; worker 2 ran in the last one too).
    expect(merged.map((e) => e.gauges['vus'])).toEqual(single.map(() => 1 + 2 + 3))
    // What charts read: the same figures, VUs aside (a single registry has one gauge, not three).
    const withoutVus = (r: PerfResult) => r.timeline.map(({ vus: _v, ...rest }) => rest)
    const a = result({ ...aggregateMetrics(workers.map((w) => w.snapshot())), timeline: merged }, 3_618_000)
    const b = result(whole.snapshot(), 3_618_000)
    expect(withoutVus(a)).toEqual(withoutVus(b))
    expect(a.timeline.at(-1)).toMatchObject({ t: 3_610, seconds: 8 })
  })

  test('merging whole results (shards) gives the same timeline as streaming their parts', () => {
    const a = new MetricsRegistry()
    const b = new MetricsRegistry()
    const streamed = new TimelineBuilder()
    const rnd = lcg(2)
    for (let s = 0; s < 30; s++) {
      load([a], rnd, 5, 1)
      load([b], rnd, 3, 1)
      a.closeSecond()
      b.closeSecond()
    }
    const [sa, sb] = [a.snapshot(), b.snapshot()]
    streamed.add(sb.timeline)
    streamed.add(sa.timeline)
    expect(aggregateMetrics([sa, sb]).timeline).toEqual(streamed.entries())
  })
})
