/**
 * Percentiles as k6 defines them (metrics/sink.go, `TrendSink.P`): of n sorted samples, take
 * i = p/100 · (n − 1) and interpolate linearly between the samples at ranks ⌊i⌋ and ⌈i⌉. HDR's own
 * `getValueAtPercentile` is the nearest rank instead: for 99 samples of 1 ms and one of 1000 ms it
 * says p(99) = 1 where k6 says 10.99, and a k6 user's threshold would get another verdict.
 *
 * Every figure loadspec reports as a percentile (results, thresholds, matchers, reports, merged
 * results, the timeline) comes from this one function.
 */
import type { Histogram } from './histogram.ts'
import { UsageError } from '../errors.ts'

/** The parts of hdr-histogram-js's JsHistogram that walking its buckets needs (not in its types). */
interface Buckets {
  readonly totalCount: number
  readonly maxValue: number
  readonly countsArrayLength: number
  getCountAtIndex(index: number): number
  valueFromIndex(index: number): number
  highestEquivalentValue(value: number): number
}

/** The exact smallest and largest sample, in µs, when the caller knows them. */
export interface ObservedRange {
  readonly minUs: number
  readonly maxUs: number
}

/**
 * The p-th percentile (0–100) of a µs histogram, in µs, by k6's rule; 0 when it is empty.
 *
 * The value at a rank comes from its bucket: rank 0 is the minimum and rank n − 1 the maximum
 * (exactly what `min` and `max` report, so p(0) = min and p(100) = max); any other rank takes the
 * middle of its bucket, kept within [min, max]. A bucket below 2048 µs holds one integer value, so
 * there the result is exact; above, the middle is within half a bucket (≤ 0.05 %) of every value
 * in it, and an interpolation between two such values is as close to the exact one.
 *
 * @param observed the exact min and max (series keep them); default: the histogram's own, the
 *   bottom of its lowest bucket and its `maxValue`, as a decoded histogram reports them.
 * @throws RangeError when p is not a number from 0 to 100.
 */
export function percentileUs(hist: Histogram, p: number, observed?: ObservedRange): number {
  if (!(p >= 0 && p <= 100)) throw new UsageError(`percentile ${p} is out of range; use 0…100`)
  const h = hist as unknown as Buckets
  const n = h.totalCount
  if (n === 0) return 0
  const minUs = observed?.minUs ?? lowestRecorded(h)
  const maxUs = observed?.maxUs ?? h.maxValue
  const at = (p / 100) * (n - 1)
  const lo = Math.floor(at)
  const hi = Math.ceil(at)
  const valueAt = (rank: number, index: number): number => {
    if (rank === 0) return minUs
    if (rank === n - 1) return maxUs
    const bottom = h.valueFromIndex(index)
    return Math.min(Math.max((bottom + h.highestEquivalentValue(bottom)) / 2, minUs), maxUs)
  }
  // One walk finds the buckets of both ranks (usually the same one).
  let seen = 0
  let low = NaN
  for (let i = 0; i < h.countsArrayLength; i++) {
    const c = h.getCountAtIndex(i)
    if (c === 0) continue
    seen += c
    if (Number.isNaN(low) && seen > lo) low = valueAt(lo, i)
    if (seen > hi) {
      const high = valueAt(hi, i)
      return low + (high - low) * (at - lo)
    }
  }
  // Unreachable while the counts add up to totalCount; the maximum is the honest answer if not.
  return maxUs
}

function lowestRecorded(h: Buckets): number {
  for (let i = 0; i < h.countsArrayLength; i++) if (h.getCountAtIndex(i) > 0) return h.valueFromIndex(i)
  return 0
}
