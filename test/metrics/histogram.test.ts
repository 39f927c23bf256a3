/** addEncoded: adding an encoded histogram's counts directly must equal decoding and adding it. */
import { describe, expect, test } from 'vitest'
import { addEncoded, createHistogram, decodeHistogram, encodeHistogram } from '../../src/metrics/histogram.ts'

function filled(seed: number, n: number, scale: number) {
  const h = createHistogram()
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648
    h.recordValue(1 + Math.floor((x / 2147483648) ** 3 * scale))
  }
  return h
}

describe('addEncoded', () => {
  test('gives the same counts as decode + add, across ranges that make the target grow', () => {
    const parts = [filled(1, 5000, 2_000), filled(2, 300, 60_000_000), filled(3, 1, 5), createHistogram(), filled(4, 20_000, 150_000)]
    const direct = createHistogram()
    const viaDecode = createHistogram()
    for (const p of parts) {
      const enc = encodeHistogram(p)
      addEncoded(direct, enc)
      viaDecode.add(decodeHistogram(enc))
    }
    expect(direct.totalCount).toBe(25_301)
    expect(direct.totalCount).toBe(viaDecode.totalCount)
    expect(direct.maxValue).toBe(viaDecode.maxValue)
    expect(direct.minNonZeroValue).toBe(viaDecode.minNonZeroValue)
    for (const p of [0, 1, 10, 50, 90, 95, 99, 99.9, 99.99, 100]) expect(direct.getValueAtPercentile(p), `p${p}`).toBe(viaDecode.getValueAtPercentile(p))
    // Every bucket holds the same count.
    const counts = (h: typeof direct) => { const out: number[] = []; for (let v = 1; v < 70_000_000; v = Math.ceil(v * 1.01) + 1) out.push((h as unknown as { getCountAtValue(v: number): number }).getCountAtValue(v)); return out }
    expect(counts(direct)).toEqual(counts(viaDecode))
  })
})
