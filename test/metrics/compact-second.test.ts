import { describe, expect, test } from 'vitest'
import { compactSecond, isCompact, trendOf, trendsOf } from '../../src/metrics/compact-second.ts'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import type { SerializedSecond } from '../../src/metrics/serialized.ts'
import { TimelineBuilder } from '../../src/metrics/timeline.ts'
import { createHistogram, decodeHistogram, encodeHistogram } from '../../src/metrics/histogram.ts'

function encoded(values: number[]): string {
  const h = createHistogram()
  for (const v of values) h.recordValue(v)
  return encodeHistogram(h)
}

const plain: SerializedSecond = {
  t: 7, counters: { http_reqs: 3 }, rates: { http_req_failed: [1, 2] }, gauges: { vus: 2 },
  trends: { http_req_duration: encoded([120, 450, 99_000]), iteration_duration: encoded([130, 470]), 'my trend': encoded([]) },
}

describe('timeline entries held as bytes', () => {
  const compact = compactSecond(plain)

  test('read as the same strings by every way results are read', () => {
    expect(isCompact(compact)).toBe(true)
    expect(isCompact(plain)).toBe(false)
    expect(compact.trends['http_req_duration']).toBe(plain.trends['http_req_duration'])
    expect(Object.entries(compact.trends)).toEqual(Object.entries(plain.trends))
    expect(JSON.stringify(compact)).toBe(JSON.stringify(plain))
    expect(compact).toStrictEqual(plain)
    // postMessage between threads is a structured clone: the copy holds plain strings.
    const copy = structuredClone(compact)
    expect(isCompact(copy)).toBe(false)
    expect(copy).toStrictEqual(plain)
    expect(decodeHistogram(compact.trends['http_req_duration'] as string).totalCount).toBe(3)
  })

  test('decoders read the bytes themselves, and merge them as they merge the strings', () => {
    const bytes = trendOf(compact, 'http_req_duration')
    expect(bytes).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(bytes as Uint8Array).toString('base64')).toBe(plain.trends['http_req_duration'])
    expect(trendOf(plain, 'http_req_duration')).toBe(plain.trends['http_req_duration'])
    expect(trendsOf(compact).map(([name]) => name)).toEqual(Object.keys(plain.trends))
    const fromBytes = decodeHistogram(bytes as Uint8Array)
    const fromString = decodeHistogram(plain.trends['http_req_duration'] as string)
    expect([fromBytes.totalCount, fromBytes.maxValue, fromBytes.getValueAtPercentile(50)]).toEqual([fromString.totalCount, fromString.maxValue, fromString.getValueAtPercentile(50)])
  })

  test('an entry already held as bytes is not copied again, and the trends cannot be overwritten', () => {
    expect(compactSecond(compact)).toBe(compact)
    expect(() => { (compact.trends as Record<string, string>)['http_req_duration'] = 'x' }).toThrow(TypeError)
  })

  test('the registry and the timeline builder (the timelines a run keeps) hold their entries as bytes', () => {
    const reg = new MetricsRegistry()
    for (let s = 0; s < 3; s++) {
      reg.trend('http_req_duration').add(1 + s)
      reg.closeSecond()
    }
    const kept = reg.snapshot().timeline
    expect(kept.every(isCompact)).toBe(true)
    const b = new TimelineBuilder()
    b.add(reg.drainTimeline().map((s) => structuredClone(s)))
    b.add([structuredClone(plain), { ...plain, t: 1, trends: { http_req_duration: encoded([5]) } }])
    expect(b.entries().map((e) => e.t)).toEqual([0, 1, 2, 7])
    expect(b.entries().every(isCompact)).toBe(true)
    // Seconds 1 merged exactly: the registry's sample (2 ms) and the added one (5 µs).
    const merged = decodeHistogram(b.entries()[1]?.trends['http_req_duration'] as string)
    expect([merged.totalCount, merged.minNonZeroValue, merged.maxValue]).toEqual([2, 5, 2000])
  })
})
