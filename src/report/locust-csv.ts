/**
 * Locust-compatible CSV, as Locust ≥ 2.44 writes it with `--csv` (locust/stats.py: `StatsCSV`,
 * `StatsCSVFileWriter`): `_stats.csv`, `_stats_history.csv`, `_failures.csv` and `_exceptions.csv`,
 * with Locust's column names, row order and number formats, so a script that reads Locust's files
 * reads ours unchanged. Times are ms.
 *
 * Where we differ, on purpose: percentiles and medians are our exact HDR figures rounded to whole
 * ms (Locust rounds samples into 2-significant-digit buckets first); a history row covers one
 * second, and its `Requests/s` / `Failures/s` are that second's (Locust's are a 10 s moving average).
 */
import type { MetricView, PerfResult } from '../metrics/result.ts'
import type { TrendValues } from '../metrics/values.ts'
import type { SerializedErrorSample } from '../metrics/serialized.ts'
import { decodeHistogram, createHistogram } from '../metrics/histogram.ts'
import { trendOf } from '../metrics/compact-second.ts'
import { percentileUs } from '../metrics/percentile.ts'

/** Locust's PERCENTILES_TO_REPORT, as get_readable_percentiles() names them. */
const PERCENTILES = [50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100] as const
const PCT_COLUMNS = PERCENTILES.map((p) => `${p}%`)

export const STATS_COLUMNS = ['Type', 'Name', 'Request Count', 'Failure Count', 'Median Response Time', 'Average Response Time',
  'Min Response Time', 'Max Response Time', 'Average Content Size', 'Requests/s', 'Failures/s', ...PCT_COLUMNS] as const
export const HISTORY_COLUMNS = ['Timestamp', 'User Count', 'Type', 'Name', 'Requests/s', 'Failures/s', ...PCT_COLUMNS, 'Total Request Count',
  'Total Failure Count', 'Total Median Response Time', 'Total Average Response Time', 'Total Min Response Time', 'Total Max Response Time',
  'Total Average Content Size'] as const
export const FAILURES_COLUMNS = ['Method', 'Name', 'Error', 'Occurrences', 'First Seen', 'Last Seen'] as const
export const EXCEPTIONS_COLUMNS = ['Count', 'Message', 'Traceback', 'Nodes'] as const

export interface LocustCsv { readonly stats: string; readonly history: string; readonly failures: string; readonly exceptions: string }

type Cell = string | number
/** A figure Python's csv module would write as a float (`12.5`, `100.0`), as opposed to an int. */
class PyFloat { constructor(readonly value: number) {} }
type Field = Cell | PyFloat

/** The latency trend, request counter and failure rate the files read. */
interface Sources { readonly metric: string; readonly counter: string; readonly failed: string }

export function locustCsv(result: PerfResult): LocustCsv {
  // The same figures as the result's own requests and error rate: http, else gRPC, else iterations.
  const metric = result.latencyMetric ?? 'http_req_duration'
  const src: Sources = metric === 'grpc_req_duration' ? { metric, counter: 'grpc_reqs', failed: 'grpc_req_failed' }
    : metric === 'iteration_duration' ? { metric, counter: 'iterations', failed: 'iteration_failed' }
    : { metric, counter: 'http_reqs', failed: 'http_req_failed' }
  const grpcNames = new Set(result.metricTagValues('grpc_reqs', 'name'))
  const split = (name: string) => splitEndpoint(name, grpcNames)
  return {
    stats: statsCsv(result, src, split),
    history: historyCsv(result, src),
    failures: failuresCsv(result.errors.samples.filter((e) => e.kind !== 'exception'), split),
    exceptions: exceptionsCsv(result.errors.samples.filter((e) => e.kind === 'exception')),
  }
}

/** `_stats.csv`: a row per endpoint sorted as Locust sorts its (name, method) keys, then `Aggregated`. */
function statsCsv(result: PerfResult, src: Sources, split: (name: string) => [string, string]): string {
  const secs = result.duration / 1000
  const row = (type: string, name: string, view: MetricView): Field[] => {
    const q = view.query(src.metric)
    const v = q?.type === 'trend' && q.count > 0 ? q : undefined
    const requests = view.requests
    const fails = view.rate(src.failed)?.passes ?? 0
    const bytes = view.counter('http_res_body_bytes')?.count ?? 0
    return [type, name, requests, fails, v ? Math.round(v.percentile(50)) : 0, ms(v?.avg ?? 0), v ? ms(v.min) : 0, v ? ms(v.max) : 0,
      requests ? new PyFloat(bytes / requests) : 0, perSec(secs ? requests / secs : 0), perSec(secs ? fails / secs : 0), ...percentiles(requests, v)]
  }
  const endpoints = result.endpoints().map((n) => ({ n, key: split(n) }))
    .sort((a, b) => compare(a.key[1], b.key[1]) || compare(a.key[0], b.key[0]))
  const rows: Field[][] = [[...STATS_COLUMNS], ...endpoints.map(({ n, key }) => row(key[0], key[1], result.endpoint(n))), row('', 'Aggregated', result)]
  return toCsv(rows)
}

/**
 * `_stats_history.csv` in Locust's default shape (`full_history=False`): one `Aggregated` row per
 * second whose percentiles, like every `Total …` column, cover the run so far. The last row's
 * totals are the whole run's exact figures, the same as the stats file's `Aggregated` row.
 */
function historyCsv(result: PerfResult, src: Sources): string {
  const q = result.query(src.metric)
  const exact = q?.type === 'trend' && q.count > 0 ? q : undefined
  // HDR bucket bounds lie up to 0.1 % outside the samples: keep every figure within the exact ones.
  const clamp = (us: number) => (exact ? Math.min(exact.max, Math.max(exact.min, us / 1000)) : us / 1000)
  const total = createHistogram()
  const rows: Field[][] = [[...HISTORY_COLUMNS]]
  const seconds = result.data.metrics.timeline
  let requests = 0
  let fails = 0
  let bytes = 0
  seconds.forEach((s, i) => {
    const enc = trendOf(s, src.metric)
    if (enc) total.add(decodeHistogram(enc))
    const req = s.counters[src.counter] ?? 0
    const fail = s.rates[src.failed]?.[0] ?? 0
    requests += req
    fails += fail
    bytes += s.counters['http_res_body_bytes'] ?? 0
    const has = total.totalCount > 0
    const last = i === seconds.length - 1 && exact !== undefined
    const cumulative: TrendValues | undefined = !has ? undefined : last ? exact : {
      type: 'trend', count: total.totalCount, min: clamp(total.minNonZeroValue), max: clamp(total.maxValue), avg: clamp(total.mean),
      percentile: (p) => clamp(percentileUs(total, p)),
    }
    // A coarser window of a long run (d seconds) is one row stamped at its end, its rates per second.
    const d = s.d ?? 1
    rows.push([Math.floor((result.startTime + (s.t + d) * 1000) / 1000), s.gauges['vus'] ?? 0, '', 'Aggregated', (req / d).toFixed(6), (fail / d).toFixed(6),
      ...percentiles(requests, cumulative), requests, fails, cumulative ? Math.round(cumulative.percentile(50)) : 0, ms(cumulative?.avg ?? 0),
      cumulative ? ms(cumulative.min) : 0, cumulative ? ms(cumulative.max) : 0, requests ? new PyFloat(bytes / requests) : 0])
  })
  return toCsv(rows)
}

/** `_failures.csv`: failed requests and operations by endpoint and error, with when each was first and last seen. */
function failuresCsv(samples: readonly SerializedErrorSample[], split: (name: string) => [string, string]): string {
  const rows: Field[][] = [[...FAILURES_COLUMNS]]
  for (const e of samples) {
    const [method, name] = split(e.endpoint ?? '')
    rows.push([method, name, `${e.kind}: ${e.message}`, e.count, utcSeconds(e.firstSeen), utcSeconds(e.lastSeen)])
  }
  return toCsv(rows)
}

/** `_exceptions.csv`: what VU functions threw, with the stack and the worker threads it was thrown on. */
function exceptionsCsv(samples: readonly SerializedErrorSample[]): string {
  const rows: Field[][] = [[...EXCEPTIONS_COLUMNS]]
  for (const e of samples) rows.push([e.count, e.message, e.stack ?? '', (e.workers ?? []).map((w) => `worker-${w}`).join(', ')])
  return toCsv(rows)
}

/** Locust writes `N/A` for every percentile of an entry without requests, whole ms otherwise. */
function percentiles(requests: number, v: TrendValues | undefined): Cell[] {
  if (!requests) return PERCENTILES.map(() => 'N/A')
  return PERCENTILES.map((p) => (v ? Math.round(v.percentile(p)) : 0))
}

/** `GET /items/:id` → [GET, /items/:id]; a gRPC method's type is `grpc`; other names have none. */
function splitEndpoint(name: string, grpcNames: ReadonlySet<string>): [string, string] {
  const m = /^([A-Z]+) (.+)$/s.exec(name)
  if (m) return [m[1] as string, m[2] as string]
  return [grpcNames.has(name) ? 'grpc' : '', name]
}

/** format_utc_timestamp(): whole seconds, `2026-12-01T09:05:11Z`; empty when unknown. */
function utcSeconds(epochMs: number | undefined): string {
  if (!epochMs) return ''
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Milliseconds to µs, the precision we record. */
function ms(v: number): PyFloat { return new PyFloat(Math.round(v * 1000) / 1000) }
function perSec(v: number): PyFloat { return new PyFloat(Math.round(v * 1e6) / 1e6) }
function compare(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0 }

function format(f: Field): string {
  if (!(f instanceof PyFloat)) return String(f)
  return Number.isInteger(f.value) ? f.value.toFixed(1) : String(f.value)
}

/** RFC 4180: quote fields with commas, quotes or newlines; lines end with \r\n as Python's csv does. */
export function toCsv(rows: readonly (readonly Field[])[]): string {
  return rows.map((r) => r.map((c) => {
    const s = format(c)
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }).join(',')).join('\r\n') + '\r\n'
}
