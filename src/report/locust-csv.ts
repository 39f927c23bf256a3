/**
 * Locust-compatible CSV (`_stats.csv`, `_stats_history.csv`, `_failures.csv`) with Locust's own
 * column names, so tooling written for Locust's `--csv` output reads ours. Times are ms.
 * The history has Locust's default shape: one `Aggregated` row per interval (one second here; its
 * percentiles cover that second, where Locust's cover a 10 s window), `Total …` columns cumulative.
 */
import type { MetricView, PerfResult } from '../metrics/result.ts'
import { decodeHistogram, createHistogram } from '../metrics/histogram.ts'

const PERCENTILES = [50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100] as const
const PCT_COLUMNS = PERCENTILES.map((p) => `${p}%`)

export const STATS_COLUMNS = ['Type', 'Name', 'Request Count', 'Failure Count', 'Median Response Time', 'Average Response Time',
  'Min Response Time', 'Max Response Time', 'Average Content Size', 'Requests/s', 'Failures/s', ...PCT_COLUMNS] as const
export const HISTORY_COLUMNS = ['Timestamp', 'User Count', 'Type', 'Name', 'Requests/s', 'Failures/s', ...PCT_COLUMNS, 'Total Request Count',
  'Total Failure Count', 'Total Median Response Time', 'Total Average Response Time', 'Total Min Response Time', 'Total Max Response Time',
  'Total Average Content Size'] as const
export const FAILURES_COLUMNS = ['Method', 'Name', 'Error', 'Occurrences'] as const

export interface LocustCsv { readonly stats: string; readonly history: string; readonly failures: string }

export function locustCsv(result: PerfResult): LocustCsv {
  const secs = result.duration / 1000
  const metric = result.latencyMetric ?? 'http_req_duration'
  const failedRate = metric === 'grpc_req_duration' ? 'grpc_req_failed' : 'http_req_failed'
  const row = (type: string, name: string, view: MetricView) => {
    const v = view.query(metric)
    const f = view.rate(failedRate)
    const requests = view.requests
    const fails = f?.passes ?? 0
    const bytes = view.counter('http_res_body_bytes')?.count ?? 0
    const pct = (p: number) => (v?.type === 'trend' ? round(v.percentile(p)) : 0)
    return [type, name, requests, fails, pct(50), v?.type === 'trend' ? round(v.avg) : 0, v?.type === 'trend' ? round(v.min) : 0,
      v?.type === 'trend' ? round(v.max) : 0, requests ? round(bytes / requests) : 0, round(secs ? requests / secs : 0), round(secs ? fails / secs : 0),
      ...PERCENTILES.map(pct)]
  }
  const rows: (string | number)[][] = [[...STATS_COLUMNS]]
  for (const name of result.endpoints().sort()) {
    const space = name.indexOf(' ')
    const [type, path] = space > 0 ? [name.slice(0, space), name.slice(space + 1)] : ['grpc', name]
    rows.push(row(type, path, result.endpoint(name)))
  }
  rows.push(row('', 'Aggregated', result))

  const history: (string | number)[][] = [[...HISTORY_COLUMNS]]
  const total = createHistogram()
  let totalReq = 0
  let totalFail = 0
  let totalBytes = 0
  const start = Math.floor(result.startTime / 1000)
  for (const s of result.data.metrics.timeline) {
    const enc = s.trends[metric]
    const h = enc ? decodeHistogram(enc) : null
    if (h) total.add(h)
    const req = s.counters[metric === 'grpc_req_duration' ? 'grpc_reqs' : 'http_reqs'] ?? 0
    const fail = s.rates[failedRate]?.[0] ?? 0
    totalReq += req
    totalFail += fail
    totalBytes += s.counters['http_res_body_bytes'] ?? 0
    const at = (hist: typeof h, p: number) => (hist && hist.totalCount ? round(hist.getValueAtPercentile(p) / 1000) : 0)
    // A coarser window of a long run (d seconds) is one row stamped at its end, its rates per second.
    const d = s.d ?? 1
    history.push([start + s.t + d, s.gauges['vus'] ?? 0, '', 'Aggregated', round(req / d), round(fail / d), ...PERCENTILES.map((p) => at(h, p)), totalReq, totalFail,
      at(total, 50), total.totalCount ? round(total.mean / 1000) : 0, total.totalCount ? round(total.minNonZeroValue / 1000) : 0,
      total.totalCount ? round(total.maxValue / 1000) : 0, totalReq ? round(totalBytes / totalReq) : 0])
  }

  const failures: (string | number)[][] = [[...FAILURES_COLUMNS]]
  for (const e of result.errors.samples) {
    const name = e.endpoint ?? ''
    const space = name.indexOf(' ')
    failures.push([space > 0 ? name.slice(0, space) : '', space > 0 ? name.slice(space + 1) : name, `${e.kind}: ${e.message}`, e.count])
  }
  return { stats: toCsv(rows), history: toCsv(history), failures: toCsv(failures) }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000
}

/** RFC 4180: quote fields with commas, quotes or newlines; lines end with \r\n as Python's csv does. */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((r) => r.map((c) => {
    const s = String(c)
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }).join(',')).join('\r\n') + '\r\n'
}
