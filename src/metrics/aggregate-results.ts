/**
 * Exact merge of whole results (worker parts, CI shards): metrics merged by `aggregateMetrics`,
 * the run spans from the earliest start to the latest end. Thresholds are not merged: evaluate
 * them again on the merged result.
 */
import type { ResultData } from './result-data.ts'
import { aggregateMetrics } from './aggregate.ts'
import { InvalidResultError } from '../errors.ts'

export function aggregate(parts: ReadonlyArray<ResultData>, name = parts[0]?.name ?? 'merged'): ResultData {
  if (parts.length === 0) throw new InvalidResultError('aggregate(): needs at least one result')
  const start = Math.min(...parts.map((p) => p.startTime))
  const end = Math.max(...parts.map((p) => p.startTime + p.durationMs))
  const aborted = parts.find((p) => p.aborted)?.aborted
  return { version: 1, name, startTime: start, durationMs: end - start, metrics: aggregateMetrics(parts.map((p) => p.metrics)), thresholds: [],
    ...(aborted ? { aborted } : {}), ...(parts[0]?.plan ? { plan: parts[0].plan } : {}) }
}
