/**
 * Thresholds checked against the metrics they name, so that a budget is never silently unreadable:
 *
 * - before any load, a threshold on a built-in metric must use a method of that metric's type
 *   (k6's `Thresholds.Validate` and `MetricType.supportedAggregationMethods`, metrics/thresholds.go
 *   and metrics/metric_type.go);
 * - a custom metric's type is known when a VU first creates it: the run's registry asks
 *   `metricTypeCheck` then, and a mismatch stops the load at once;
 * - after the load, a threshold on a metric that is neither built in nor was created is an error
 *   naming the nearest known metric (k6 checks this before its run; loadspec meets custom metrics
 *   only when a VU creates them, docs/k6-compat.md).
 */
import { InvalidThresholdError } from '../errors.ts'
import type { MetricType } from './sink.ts'
import type { ThresholdMethod } from './threshold-parser.ts'
import type { ParsedThreshold } from './thresholds.ts'

/** Every metric loadspec itself records, with its type. A test keeps this in step with the drivers. */
export const BUILTIN_METRICS: Readonly<Record<string, MetricType>> = {
  vus: 'gauge', vus_max: 'gauge',
  iterations: 'counter', iteration_duration: 'trend', iteration_failed: 'rate', iterations_interrupted: 'counter', dropped_iterations: 'counter',
  schedule_lag: 'trend', iteration_duration_corrected: 'trend', checks: 'rate',
  http_reqs: 'counter', http_req_failed: 'rate', http_req_duration: 'trend', http_req_duration_corrected: 'trend',
  http_req_blocked: 'trend', http_req_connecting: 'trend', http_req_sending: 'trend', http_req_waiting: 'trend', http_req_receiving: 'trend',
  http_res_body_bytes: 'counter', data_sent: 'counter', data_received: 'counter',
  ws_connecting: 'trend', ws_sessions: 'counter', ws_msgs_sent: 'counter', ws_msgs_received: 'counter', ws_session_duration: 'trend', ws_rtt: 'trend',
  ws_fanout_latency: 'trend', ws_fanout_complete: 'trend', ws_fanout_delivered: 'rate',
  grpc_reqs: 'counter', grpc_req_duration: 'trend', grpc_req_failed: 'rate', grpc_streams: 'counter', grpc_stream_duration: 'trend', grpc_streams_msgs_sent: 'counter', grpc_streams_msgs_received: 'counter',
}

/** k6 built-ins loadspec does not record, so their thresholds are told apart from typos. */
const K6_ONLY = new Set(['group_duration', 'http_req_tls_handshaking', 'ws_ping'])

/** Methods per type, as k6's; gauges also take min and max, which loadspec keeps for them. */
export const METHODS_BY_TYPE: Readonly<Record<MetricType, readonly ThresholdMethod[]>> = {
  trend: ['avg', 'min', 'max', 'med', 'p'],
  counter: ['count', 'rate'],
  rate: ['rate'],
  gauge: ['value', 'min', 'max'],
}

/** The sentence for a threshold whose method its metric's type lacks, or null when it fits. */
export function typeProblem(t: ParsedThreshold, type: MetricType): string | null {
  const allowed = METHODS_BY_TYPE[type]
  if (allowed.includes(t.method)) return null
  return `Threshold "${t.source}" on "${t.key}": ${t.metric} is a ${type}; use ${allowed.map((m) => (m === 'p' ? 'p(N)' : m)).join(', ')}`
}

/** Before any load: every threshold on a built-in metric fits its type, or one error lists each that does not. */
export function checkThresholdTypes(parsed: readonly ParsedThreshold[]): void {
  const problems = parsed.flatMap((t) => {
    const type = BUILTIN_METRICS[t.metric]
    const p = type ? typeProblem(t, type) : null
    return p ? [p] : []
  })
  throwThresholdProblems(problems)
}

/** What a registry calls when a metric is first created in its thread: a problem sentence, or null. */
export type MetricTypeCheck = (name: string, type: MetricType) => string | null

/** The check for metrics created during the load, or undefined when no threshold could fail it. */
export function metricTypeCheck(parsed: readonly ParsedThreshold[]): MetricTypeCheck | undefined {
  const byMetric = new Map<string, ParsedThreshold[]>()
  for (const t of parsed) byMetric.set(t.metric, [...(byMetric.get(t.metric) ?? []), t])
  if (byMetric.size === 0) return undefined
  return (name, type) => {
    for (const t of byMetric.get(name) ?? []) {
      const p = typeProblem(t, type)
      if (p) return `${p} (${name} was created as a ${type} during the run; the load was stopped)`
    }
    return null
  }
}

/**
 * After the load: the thresholds on metrics neither built in nor created during it, each with the
 * sentence that names the metric and the nearest known one. A typo must fail the run, never
 * disable the budget it was meant to set.
 */
export function unknownMetricThresholds(parsed: readonly ParsedThreshold[], created: Iterable<string>): { threshold: ParsedThreshold; problem: string }[] {
  const known = new Set([...Object.keys(BUILTIN_METRICS), ...created])
  return parsed.filter((t) => !known.has(t.metric)).map((t) => {
    const what = K6_ONLY.has(t.metric) ? `"${t.metric}" is a k6 metric that loadspec does not record` : `no metric "${t.metric}" is built in or was created during the run`
    return { threshold: t, problem: `Threshold "${t.source}" on "${t.key}": ${what}, so this budget cannot be checked; ${suggestion(t.metric, known)} ` +
      'A custom metric exists once a VU calls metrics.trend/counter/rate/gauge(name), even before its first add()' }
  })
}

/** One InvalidThresholdError for every problem, or none. */
export function throwThresholdProblems(problems: readonly string[]): void {
  if (problems.length) throw new InvalidThresholdError(problems.length === 1 ? (problems[0] as string) : `Invalid thresholds:\n  - ${problems.join('\n  - ')}`)
}

/** "did you mean" for a close name; otherwise still the nearest, so the user sees what exists. */
function suggestion(name: string, known: ReadonlySet<string>): string {
  let best = ''
  let bestD = Infinity
  for (const k of known) {
    const d = editDistance(name, k)
    if (d < bestD || (d === bestD && k < best)) { best = k; bestD = d }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? `did you mean "${best}"?` : `the nearest known metric is "${best}".`
}

/** Optimal string alignment distance: Levenshtein plus adjacent swaps (`duartion` is one edit). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[]
      const up = d[i - 1] as number[]
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1)
    }
  }
  return (d[a.length] as number[])[b.length] as number
}
