/**
 * `loadspec merge`: the results of the shards of one load (CI matrix jobs, Kubernetes Job
 * pods), merged exactly (histograms bucket by bucket) and judged again as a whole: every
 * threshold is evaluated on the merged result, which k6 cannot do across instances. Parts that
 * are not shards of one load are refused before anything is added up.
 */
import { InvalidResultError } from '../errors.ts'
import { aggregate } from '../metrics/aggregate-results.ts'
import { PerfResult } from '../metrics/result.ts'
import type { ResultData, ThresholdResult } from '../metrics/result-data.ts'
import { evaluateThresholds, parseThresholds } from '../metrics/thresholds.ts'
import { coverageProblem, WHOLE, type Segment } from './segment.ts'

export interface ShardPart {
  /** Where the part came from (a file path), for messages. */
  readonly source: string
  readonly data: ResultData
}

export function mergeShards(parts: readonly ShardPart[]): PerfResult {
  if (parts.length === 0) throw new InvalidResultError('merge: no results given; pass the JSON result of every shard')
  const [first] = parts as [ShardPart, ...ShardPart[]]
  for (const p of parts) {
    if (p.data.version !== 1 || !p.data.metrics) throw new InvalidResultError(`merge: ${p.source} is not a loadspec result`)
    if (!p.data.fingerprint || !p.data.loadspec) {
      throw new InvalidResultError(`merge: ${p.source} carries no plan fingerprint or loadspec version (written by an older loadspec); run every shard again with this version`)
    }
    if (p.data.loadspec !== first.data.loadspec) {
      throw new InvalidResultError(`merge: ${p.source} was written by loadspec ${p.data.loadspec}, ${first.source} by ${first.data.loadspec}; run every shard with one version`)
    }
    if (p.data.name !== first.data.name || p.data.fingerprint !== first.data.fingerprint) {
      throw new InvalidResultError(`merge: ${p.source} ("${p.data.name}", plan ${p.data.fingerprint}) is not a shard of the same load as ${first.source} ("${first.data.name}", plan ${first.data.fingerprint}): the scenarios, options, profile, scale or thresholds differ`)
    }
  }
  const problem = coverageProblem(parts.map((p) => stripesOf(p.data)))
  if (problem) throw new InvalidResultError(`merge: the shards do not make up the whole load: ${problem}${missingHint(parts)}`)

  const merged = aggregate(parts.map((p) => p.data))
  // The merged result is the whole load: no segment, the shards' common identity.
  const draft = new PerfResult({ ...merged, fingerprint: first.data.fingerprint, loadspec: first.data.loadspec,
    ...(first.data.generator ? { generator: mergedGenerator(parts) } : {}) })
  return new PerfResult({ ...draft.data, thresholds: rejudge(first.data.thresholds, draft) })
}

function stripesOf(d: ResultData): Segment {
  return d.segment ? { cycle: d.segment.cycle, slots: d.segment.slots } : WHOLE
}

/** For equal shards (`I/N`), which ones are absent or given twice. */
function missingHint(parts: readonly ShardPart[]): string {
  const labels = parts.map((p) => p.data.segment?.label ?? '1/1')
  const equal = labels.map((l) => /^(\d+)\/(\d+)$/.exec(l))
  const count = equal[0]?.[2]
  if (!count || equal.some((m) => !m || m[2] !== count)) return ` (shards given: ${labels.join(', ')})`
  const seen = equal.map((m) => Number(m?.[1]))
  const missing = Array.from({ length: Number(count) }, (_, i) => i + 1).filter((i) => !seen.includes(i))
  const twice = [...new Set(seen.filter((i, k) => seen.indexOf(i) !== k))]
  return [missing.length ? `; missing: ${missing.map((i) => `${i}/${count}`).join(', ')}` : '', twice.length ? `; given twice: ${twice.map((i) => `${i}/${count}`).join(', ')}` : ''].join('')
}

/** Every threshold the shards were judged by, evaluated again on the merged whole. */
function rejudge(thresholds: readonly ThresholdResult[], result: PerfResult): ThresholdResult[] {
  const spec: Record<string, string[]> = {}
  for (const t of thresholds) (spec[t.key] ??= []).push(t.source)
  return evaluateThresholds(parseThresholds(spec), result, { elapsedMs: result.data.durationMs }).map((o) => ({
    key: o.key, source: o.source, ok: o.ok, actual: o.actual, ...(o.reason ? { reason: o.reason } : {}) }))
}

/** Each shard's generator readings, numbered across shards. */
function mergedGenerator(parts: readonly ShardPart[]): NonNullable<ResultData['generator']> {
  const workers = parts.flatMap((p) => p.data.generator?.workers ?? [])
  const problems = parts.flatMap((p) => (p.data.generator?.problems ?? []).map((m) => `${p.data.segment?.label ?? 'whole'}: ${m}`))
  return { healthy: problems.length === 0, problems, workers: workers.map((w, i) => ({ ...w, worker: i })) }
}
