/**
 * The shared kernels behind the public matchers: each reads figures from a view and compares them
 * with a bound (or, for matchBaseline, with the stored baseline, which it also writes), returning
 * what the formatter needs. Matchers are thin wrappers over these.
 */
import type { MetricView, PerfResult } from '../metrics/result.ts'
import type { TrendSummary } from '../metrics/summary.ts'
import { formatThresholdOutcomes } from '../metrics/thresholds.ts'
import { asView } from './receiver.ts'
import { formatFailure, ms } from './format.ts'
import { baselinePath, readBaselines, writeBaseline, type BaselineFile } from '../report/baseline.ts'
import { compareFigures, formatComparison, type Tolerances } from '../report/compare.ts'
import { figuresOf } from '../report/figures.ts'
import { MatcherUsageError } from '../errors.ts'
import { HEALTH_LIMITS } from '../core/health.ts'

export interface MatcherOutcome {
  readonly pass: boolean
  readonly message: (isNot: boolean) => string
  readonly actual: unknown
  readonly expected: unknown
}

function requireNumber(matcher: string, name: string, v: unknown, min = 0, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new MatcherUsageError(`${matcher}: ${name} must be a number${max < Infinity ? ` from ${min} to ${max}` : ` ≥ ${min}`}; received ${JSON.stringify(v)}`)
  }
  return v
}

/** For a view that matched nothing: an endpoint's name is its requests' `name` tag, which is easy to get wrong. */
function nameHint(view: MetricView): string {
  return 'name' in view.filter ? '; an endpoint is named by its requests\' name tag (by default the method and path with ids collapsed, e.g. GET /rooms/:id)' : ''
}

function latency(matcher: string, view: MetricView): { name: string; summary: TrendSummary } {
  const name = view.latencyMetric
  const summary = name ? view.trend(name) : undefined
  if (!name || !summary) {
    throw new MatcherUsageError(`${matcher}: ${view.label} recorded no latency (no http_req_duration, grpc_req_duration or iteration_duration samples)${nameHint(view)}`)
  }
  return { name, summary }
}

/**
 * Error rate and throughput of a view with no requests are 0, so `toHaveErrorRateBelow` would pass
 * (and `.not.toHaveThroughputAbove`) for an endpoint that does not exist: refuse it as the latency
 * matchers do.
 */
function requireRequests(matcher: string, view: MetricView): number {
  const n = view.requests
  if (n === 0) throw new MatcherUsageError(`${matcher}: ${view.label} recorded no requests (no http_reqs, grpc_reqs or iterations samples)${nameHint(view)}`)
  return n
}

/** Latency percentile (or mean/max) below a bound in ms. */
export function latencyBelow(matcher: string, received: unknown, stat: 'p' | 'mean' | 'max', p: number, boundMs: unknown): MatcherOutcome {
  const view = asView(matcher, received)
  const bound = requireNumber(matcher, 'the bound (ms)', boundMs)
  if (stat === 'p') requireNumber(matcher, 'the percentile', p, 0, 100)
  const { name, summary } = latency(matcher, view)
  const values = view.query(name)
  const actual = stat === 'mean' ? summary.mean : stat === 'max' ? summary.max : values?.type === 'trend' ? values.percentile(p) : NaN
  const label = stat === 'p' ? `p${String(p).replace('.', '')}` : stat
  return {
    pass: actual < bound,
    actual, expected: bound,
    message: (isNot) => formatFailure({ matcher, isNot, label: view.label, expected: `${label} < ${ms(bound)} ms`,
      received: `${label} = ${ms(actual)} ms`, metric: name, table: summary }),
  }
}

export function errorRateBelow(matcher: string, received: unknown, bound: unknown): MatcherOutcome {
  const view = asView(matcher, received)
  const b = requireNumber(matcher, 'the rate', bound, 0, 1)
  const requests = requireRequests(matcher, view)
  const actual = view.errorRate
  const errors = 'errors' in view ? (view as PerfResult).errors : undefined
  const kinds = errors && errors.total ? `errors by kind: ${Object.entries(errors.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}` : undefined
  return {
    pass: actual < b, actual, expected: b,
    message: (isNot) => formatFailure({ matcher, isNot, label: view.label, expected: `error rate < ${pct(b)}`,
      received: `error rate = ${pct(actual)} of ${requests} requests`, extra: kinds }),
  }
}

export function throughputAbove(matcher: string, received: unknown, bound: unknown): MatcherOutcome {
  const view = asView(matcher, received)
  const b = requireNumber(matcher, 'the throughput (per second)', bound)
  const requests = requireRequests(matcher, view)
  const actual = view.throughput
  return {
    pass: actual > b, actual, expected: b,
    message: (isNot) => formatFailure({ matcher, isNot, label: view.label, expected: `throughput > ${b} req/s`,
      received: `throughput = ${actual.toFixed(1)} req/s (${requests} requests)` }),
  }
}

export function passThresholds(matcher: string, received: unknown): MatcherOutcome {
  const view = asView(matcher, received)
  const result = view as PerfResult
  if (!Array.isArray(result.thresholds)) throw new MatcherUsageError(`${matcher}: expected a whole PerfResult (thresholds belong to the run, not to a view)`)
  // With no thresholds "every threshold passed" is true of any run; an assertion that cannot fail is a mistake.
  if (result.thresholds.length === 0) throw new MatcherUsageError(`${matcher}: ${view.label} has no thresholds to pass; give its options thresholds, e.g. { http_req_duration: ['p(95)<500'] }`)
  const failed = result.thresholds.filter((t) => !t.ok)
  return {
    pass: failed.length === 0, actual: failed.map((t) => `${t.key} ${t.source}`), expected: [],
    message: (isNot) => formatFailure({ matcher, isNot, label: view.label, expected: 'every threshold to pass',
      received: `${failed.length} of ${result.thresholds.length} failed`, extra: formatThresholdOutcomes(result.thresholds.map((t) => ({ ...t, abortOnFail: false, shouldAbort: false }))) }),
  }
}

function pct(r: number): string {
  return `${(r * 100).toFixed(r < 0.01 ? 3 : 2)}%`
}

export function healthyGenerator(matcher: string, received: unknown): MatcherOutcome {
  const view = asView(matcher, received)
  const g = (view as PerfResult).generator
  if (!g || !Array.isArray(g.workers)) throw new MatcherUsageError(`${matcher}: expected a whole PerfResult (generator health belongs to the run, not to a view)`)
  // No readings (a result merged or rebuilt without them) would read as healthy without having been measured.
  if (g.workers.length === 0) throw new MatcherUsageError(`${matcher}: ${view.label} holds no generator readings, so its health is unknown; assert on the result a run returned`)
  const rows = g.workers.map((w) => `  worker ${w.worker}: event-loop delay p99 ${w.loopDelayP99Ms.toFixed(1)} ms, max ${w.loopDelayMaxMs.toFixed(1)} ms, CPU ${(w.cpu * 100).toFixed(0)}%, loop busy ${(w.eventLoopUtilization * 100).toFixed(0)}%` +
    (w.heapLimitMb ? `, heap ${w.heapUsedMb.toFixed(0)} of ${w.heapLimitMb.toFixed(0)} MB` : ''))
  const L = HEALTH_LIMITS
  return {
    pass: g.healthy, actual: g.problems, expected: [],
    message: (isNot) => formatFailure({ matcher, isNot, label: view.label, expected: `a generator that never saturated (event-loop delay p99 ≤ ${L.loopDelayP99Ms} ms and max ≤ ${L.loopDelayMaxMs} ms, CPU ≤ ${L.cpu * 100}% of a core, event loop busy ≤ ${L.eventLoopUtilization * 100}%, heap ≤ ${L.heapUsed * 100}% of its limit)`,
      received: g.healthy ? 'healthy' : `saturated — ${g.problems.join('; ')}`, extra: `generator threads:\n${rows.join('\n')}\n\nA saturated generator measures itself: add workers, lower the load, or move work out of the VU function.` }),
  }
}

/** How the runner treats snapshots now: 'new' writes missing ones, 'all' (-u) rewrites, 'none' (CI) never writes. */
export type UpdateMode = 'new' | 'all' | 'none'

export function matchBaseline(matcher: string, received: unknown, tolerances: Tolerances | undefined, testPath: string | undefined, update: UpdateMode): MatcherOutcome & { note?: string } {
  const result = asView(matcher, received) as PerfResult
  if (!Array.isArray(result.thresholds)) throw new MatcherUsageError(`${matcher}: expected a whole PerfResult (baselines are kept per run)`)
  if (!testPath) throw new MatcherUsageError(`${matcher}: no test file is known here, so there is nowhere to keep the baseline`)
  const path = baselinePath(testPath)
  const head = figuresOf(result)
  // -u rewrites even a broken file: the user asked for it. Otherwise a broken file is an error.
  const file = update === 'all' ? safeRead(path) : readBaselines(path)
  const base = file?.blocks[result.name]
  const ok = (note: string): MatcherOutcome & { note: string } => ({ pass: true, actual: head, expected: base ?? null, note,
    message: (isNot) => formatFailure({ matcher, isNot, label: result.label, expected: 'a regression against the baseline', received: note }) })
  if (update === 'all' || (!base && update === 'new')) {
    writeBaseline(path, file, result.name, head)
    return ok(`baseline ${base ? 'updated' : 'written'}: ${path}`)
  }
  if (!base) {
    return { pass: false, actual: head, expected: null, message: (isNot) => formatFailure({ matcher, isNot, label: result.label,
      expected: `a baseline for "${result.name}" in ${path}`, received: 'none — baselines are never written in CI: run the suite locally (it writes missing baselines, -u rewrites them) and commit the file' }) }
  }
  const c = compareFigures(base, head, tolerances)
  const table = formatComparison(c)
  return {
    pass: c.regressions === 0, actual: head, expected: base,
    note: c.inconclusive ? `inconclusive against the baseline (within the runs' noise):\n${table}` : '',
    message: (isNot) => formatFailure({ matcher, isNot, label: result.label, expected: `no regression beyond tolerance against ${path}`,
      received: `${c.regressions} regression${c.regressions === 1 ? '' : 's'}, ${c.inconclusive} inconclusive`, extra: table }),
  }
}

function safeRead(path: string): BaselineFile | null {
  try { return readBaselines(path) } catch { return null }
}
