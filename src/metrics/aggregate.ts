/**
 * Exact merge of metric snapshots (from workers, shards, or successive snapshots of disjoint data).
 * Pure: no input is modified. Histograms are decoded, added bucket by bucket and re-encoded, so a
 * merged p95 is the p95 of all samples, never an average of percentiles.
 */
import type { SerializedMetrics, SerializedSeries } from './serialized.ts'
import { encodeHistogram, mergeEncoded } from './histogram.ts'
import { mergeTimeline } from './timeline.ts'
import { seriesKey } from './series-key.ts'
import { mergeErrors } from './error-tally.ts'
import { MetricTypeError } from '../errors.ts'

export function aggregateMetrics(parts: ReadonlyArray<SerializedMetrics>): SerializedMetrics {
  return {
    series: mergeSeries(parts.flatMap((p) => p.series)),
    timeline: mergeTimeline(parts.map((p) => p.timeline)),
    errors: mergeErrors(parts.map((p) => p.errors)),
  }
}

export function mergeSeries(all: ReadonlyArray<SerializedSeries>): SerializedSeries[] {
  const groups = new Map<string, SerializedSeries[]>()
  for (const s of all) {
    const key = seriesKey(s.name, s.tags)
    const g = groups.get(key)
    if (g) g.push(s)
    else groups.set(key, [s])
  }
  const out: SerializedSeries[] = []
  for (const group of groups.values()) out.push(group.length === 1 ? (group[0] as SerializedSeries) : mergeGroup(group))
  return out
}

function mergeGroup(group: ReadonlyArray<SerializedSeries>): SerializedSeries {
  const first = group[0] as SerializedSeries
  const type = first.type
  if (group.some((s) => s.type !== type)) {
    throw new MetricTypeError(`Cannot merge metric "${first.name}": it is a ${type} in one part and a different type in another.`)
  }
  let count = 0
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (const s of group) {
    count += s.count
    sum += s.sum
    if (s.count > 0) {
      if (s.min < min) min = s.min
      if (s.max > max) max = s.max
    }
  }
  if (count === 0) { min = 0; max = 0 }
  if (type === 'trend') {
    const hist = mergeEncoded(group.map((s) => s.hist ?? ''))
    return { name: first.name, type, tags: first.tags, count, sum, min, max, hist: encodeHistogram(hist) }
  }
  if (type === 'gauge') {
    // Gauges count things per worker (vus, vus_max): merged, they add up.
    const value = group.reduce((a, s) => a + s.sum, 0)
    const gmin = group.reduce((a, s) => a + s.min, 0)
    const gmax = group.reduce((a, s) => a + s.max, 0)
    return { name: first.name, type, tags: first.tags, count, sum: value, min: gmin, max: gmax }
  }
  return { name: first.name, type, tags: first.tags, count, sum, min: 0, max: 0 }
}
