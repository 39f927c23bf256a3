/**
 * Recovery time from a known timeline: healthy seconds, a fault, a slow second, healthy again —
 * the recovery is from the fault's end to the first second that stays within tolerance.
 */
import { describe, expect, test } from 'vitest'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { PerfResult, type ResultData } from '../../src/index.ts'
import { recoveries, figuresBetween } from '../../src/metrics/recovery.ts'
import type { FaultMarkData } from '../../src/metrics/result-data.ts'

/** One entry per second: [requests, failed, latency ms of each]. */
function resultOf(seconds: readonly [number, number, number][], faults: FaultMarkData[]): PerfResult {
  const reg = new MetricsRegistry()
  for (const [requests, failed, ms] of seconds) {
    for (let i = 0; i < requests; i++) {
      reg.trend('http_req_duration', { name: 'GET /' }).add(ms)
      reg.counter('http_reqs', { name: 'GET /' }).add(1)
      reg.rate('http_req_failed', { name: 'GET /' }).add(i < failed)
    }
    reg.closeSecond()
  }
  const data: ResultData = { version: 1, name: 'faulted', startTime: 0, durationMs: seconds.length * 1000, metrics: reg.snapshot(), thresholds: [], faults }
  return new PerfResult(data)
}

const kill: FaultMarkData = { index: 0, service: 'api', label: 'kill api for 2s', atMs: 5000, endMs: 7000 }
const healthy: [number, number, number] = [100, 0, 2]

describe('recovery from a fault', () => {
  test('from the fault\'s end to the first second that stays within tolerance of before', () => {
    // 0–4 healthy, 5–6 down (all failed), 7 answered but slow (p95 50 ms), 8–9 healthy
    const r = resultOf([healthy, healthy, healthy, healthy, healthy, [100, 100, 1], [100, 100, 1], [100, 0, 50], healthy, healthy], [kill])
    const [rec] = recoveries(r.timeline, [kill])
    expect(rec?.before).toMatchObject({ seconds: 5, requests: 500, errorRate: 0 })
    expect(rec?.before.p95).toBeCloseTo(2, 2)
    expect(rec?.recoveryMs).toBe(1000)
    // a looser p95 tolerance takes the slow second as recovered
    expect(recoveries(r.timeline, [kill], { p95: 30 })[0]?.recoveryMs).toBe(0)
    expect(r).toRecoverWithin(1000)
    expect(r).not.toRecoverWithin(999)
  })

  test('a relapse after a good second is not a recovery; no good second to the end is none', () => {
    const relapse = resultOf([healthy, healthy, healthy, healthy, healthy, [100, 100, 1], [100, 100, 1], healthy, [100, 30, 2], healthy, healthy], [kill])
    expect(recoveries(relapse.timeline, [kill])[0]?.recoveryMs).toBe(2000)
    const never = resultOf([healthy, healthy, healthy, healthy, healthy, [100, 100, 1], [100, 100, 1], [100, 50, 2], [100, 50, 2]], [kill])
    expect(recoveries(never.timeline, [kill])[0]?.recoveryMs).toBeNull()
    expect(() => expect(never).toRecoverWithin(60_000)).toThrow(/kill api for 2s \(5\.0–7\.0 s\): not recovered by the end of the load \(before: error rate 0\.00 %, p95 2\.0 ms\)/)
    // seconds after the last request (the run winding down) are not counted against it
    const windDown = resultOf([healthy, healthy, healthy, healthy, healthy, [100, 100, 1], [100, 100, 1], healthy, [0, 0, 0]], [kill])
    expect(recoveries(windDown.timeline, [kill])[0]?.recoveryMs).toBe(0)
  })

  test('at millisecond latencies the absolute floor (p95Ms) decides, not the 50 %', () => {
    // before p95 ≈ 1.4 ms; after the fault 2.2 ms: +57 %, but only +0.8 ms
    const fast: [number, number, number] = [100, 0, 1.4]
    const r = resultOf([fast, fast, fast, fast, fast, [100, 100, 1], [100, 100, 1], [100, 0, 2.2], [100, 0, 2.2]], [kill])
    expect(recoveries(r.timeline, [kill])[0]?.recoveryMs).toBe(0)
    expect(recoveries(r.timeline, [kill], { p95Ms: 0 })[0]?.recoveryMs).toBeNull()
  })

  test('figures of a phase count whole seconds only', () => {
    const r = resultOf([healthy, [100, 50, 2], healthy], [])
    expect(figuresBetween(r.timeline, 1000, 2000)).toMatchObject({ seconds: 1, requests: 100, errorRate: 0.5 })
    expect(figuresBetween(r.timeline, 500, 2500)).toMatchObject({ seconds: 1 })
  })

  test('toRecoverWithin on a run without faults is an error, not a pass', () => {
    const r = resultOf([healthy], [])
    expect(() => expect(r).toRecoverWithin(1000)).toThrow(/had no faults, so there is nothing to recover from/)
  })
})

describe('faults in the reports', () => {
  test('the summary, the Markdown summary and the HTML charts mark each fault with its recovery', async () => {
    const { digest } = await import('../../src/report/summary.ts')
    const { formatBlock } = await import('../../src/report/table.ts')
    const { markdownSummary } = await import('../../src/report/markdown.ts')
    const { chartsOf } = await import('../../src/report/html-charts.ts')
    const r = resultOf([healthy, healthy, healthy, healthy, healthy, [100, 100, 1], [100, 100, 1], [100, 0, 50], healthy, healthy], [kill])
    const d = digest(r)
    expect(d.faults).toEqual([{ label: 'kill api for 2s', atMs: 5000, endMs: 7000, recoveryMs: 1000 }])
    expect(formatBlock(d)).toContain('⚡ kill api for 2s at 5.0–7.0 s · recovered 1.0 s after it ended')
    expect(markdownSummary([d])).toContain('- ⚡ kill api for 2s at 5.0–7.0 s · recovered 1.0 s after it ended')
    expect(chartsOf(r).phases).toEqual(expect.arrayContaining([{ t: 5, label: '⚡ kill api for 2s' }, { t: 7, label: 'kill api for 2s ends' }]))
  })
})
