/**
 * Histogram encoding: what we write is HdrHistogram's V2 layout (a standard decoder reads it), what
 * we read back holds every bucket's count, and results written by earlier versions (deflated V2) still merge.
 */
import { deflateSync } from 'node:zlib'
import hdr from 'hdr-histogram-js'
import { describe, expect, test } from 'vitest'
import { addEncoded, createHistogram, decodeHistogram, encodeHistogram, type Histogram } from '../../src/metrics/histogram.ts'

function filled(seed: number, n: number, scale: number): Histogram {
  const h = createHistogram()
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648
    h.recordValue(1 + Math.floor((x / 2147483648) ** 3 * scale))
  }
  return h
}
/** Count per bucket, sampled over the whole range (1.01 steps land in every bucket at 3 digits). */
function counts(h: Histogram): number[] {
  const out: number[] = []
  for (let v = 1; v < 70_000_000; v = Math.ceil(v * 1.01) + 1) out.push((h as unknown as { getCountAtValue(v: number): number }).getCountAtValue(v))
  return out
}
function sameDistribution(a: Histogram, b: Histogram): void {
  expect(a.totalCount).toBe(b.totalCount)
  for (const p of [0, 1, 10, 50, 90, 95, 99, 99.9, 99.99, 100]) expect(a.getValueAtPercentile(p), `p${p}`).toBe(b.getValueAtPercentile(p))
  expect(counts(a)).toEqual(counts(b))
}
const parts = () => [filled(1, 5000, 2_000), filled(2, 300, 60_000_000), filled(3, 1, 5), createHistogram(), filled(4, 20_000, 150_000)]

describe('histogram recording', () => {
  test('our integer-arithmetic recordValue puts every value in the bucket hdr-histogram-js would', () => {
    const ours = createHistogram()
    const theirs = hdr.build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 3, useWebAssembly: false })
    const values = [0, 1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 4097, 65_535, 65_536, 1_000_000, 2 ** 31 - 1, 2 ** 31, 2 ** 33 + 5, 0.4, 7.5]
    let x = 7
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648
      values.push(Math.floor((x / 2147483648) ** 4 * 3_000_000_000))
    }
    for (const v of values) { ours.recordValue(v); theirs.recordValue(v) }
    sameDistribution(ours, theirs)
    expect([ours.minNonZeroValue, ours.maxValue]).toEqual([theirs.minNonZeroValue, theirs.maxValue])
    expect(encodeHistogram(ours)).toBe(encodeHistogram(theirs))
  })
})

describe('histogram encoding', () => {
  test('encode then decode keeps every bucket', () => {
    for (const p of parts()) sameDistribution(decodeHistogram(encodeHistogram(p)), p)
  })

  test('adding encoded parts equals adding the histograms themselves, across ranges that make the target grow', () => {
    const direct = createHistogram()
    const viaEncoded = createHistogram()
    for (const p of parts()) { direct.add(p); addEncoded(viaEncoded, encodeHistogram(p)) }
    expect(viaEncoded.totalCount).toBe(25_301)
    sameDistribution(viaEncoded, direct)
  })

  test('what we write is standard V2: hdr-histogram-js decodes it to the same counts', () => {
    for (const p of parts()) {
      const raw = Buffer.from(encodeHistogram(p), 'base64')
      expect(raw.toString('base64').slice(0, 6)).toBe('HISTEw')
      // hdr-histogram-js only reads the deflated envelope: wrap our bytes in it.
      const body = deflateSync(raw)
      const head = Buffer.alloc(8)
      head.writeInt32BE(0x1c849314, 0)
      head.writeInt32BE(body.length, 4)
      const theirs = hdr.decodeFromCompressedBase64(Buffer.concat([head, body]).toString('base64'), 32, false)
      sameDistribution(theirs, p)
    }
  })

  test('deflated encodings (earlier results, other tools) are still read', () => {
    const merged = createHistogram()
    const direct = createHistogram()
    for (const p of parts()) { direct.add(p); addEncoded(merged, hdr.encodeIntoCompressedBase64(p)) }
    sameDistribution(merged, direct)
  })

  test('garbage is an error, not an empty histogram', () => {
    expect(() => decodeHistogram('')).toThrow(/encoded histogram/)
    expect(() => decodeHistogram(Buffer.from('not a histogram at all').toString('base64'))).toThrow(/V2/)
  })
})
