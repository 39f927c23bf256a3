/**
 * The end-of-run text summary of a perf block: per-endpoint requests, rate, errors and latency
 * percentiles, then errors, bandwidth and thresholds. Plain text; colour is the caller's business.
 */
import type { BlockDigest, RowDigest } from './summary.ts'
import { formatDuration } from '../core/duration.ts'

/** Latency columns name their unit, as the HTML report's do. */
export const LATENCY_HEADERS = ['p50 ms', 'p90 ms', 'p95 ms', 'p99 ms', 'max ms'] as const
const HEAD = ['endpoint', 'reqs', 'rps', 'err%', ...LATENCY_HEADERS]

export function formatBlock(d: BlockDigest): string {
  const passed = d.thresholds.filter((t) => t.ok).length
  const verdict = d.thresholds.length ? `${passed === d.thresholds.length ? '✓' : '✗'} thresholds ${passed}/${d.thresholds.length}` : 'no thresholds'
  const threads = d.workers > 1 ? `  ·  ${d.workers} workers` : ''
  const out = [`${d.name}  ·  ${formatDuration(d.durationMs)}${threads}  ·  ${verdict}${d.aborted ? `  ·  aborted: ${d.aborted}` : ''}`]
  const rows = endpointRows(d).map((r) => rowCells(r))
  out.push(...align([HEAD, ...rows]).map((l) => '  ' + l))
  const it = d.iterations
  out.push(`  iterations: ${it.completed} completed${it.interrupted ? `, ${it.interrupted} interrupted` : ''}${it.dropped ? `, ${it.dropped} dropped` : ''}` +
    (d.scheduleLagP99 !== undefined ? ` · schedule lag p99 ${d.scheduleLagP99.toFixed(2)} ms` : ''))
  if (d.checks.passes + d.checks.fails > 0) out.push(`  checks: ${d.checks.passes} passed, ${d.checks.fails} failed`)
  const kinds = Object.entries(d.errorsByKind)
  if (kinds.length) {
    const status = Object.entries(d.errorsByStatus).map(([s, n]) => `${s} ×${n}`).join(', ')
    out.push(`  errors: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')}${status ? ` (by status: ${status})` : ''}`)
    for (const s of d.errorSamples.slice(0, 3)) out.push(`    ${s.count}× ${s.endpoint ? s.endpoint + ': ' : ''}${s.message}`)
  }
  if (d.data.sent + d.data.received > 0) {
    out.push(`  data: ↑ ${bytes(d.data.sent)} (${d.data.kbpsOut.toFixed(1)} kbps)  ↓ ${bytes(d.data.received)} (${d.data.kbpsIn.toFixed(1)} kbps)` +
      `  · projected ${bytes(d.data.perHourBytes)}/hour, ${bytes(d.data.perDayBytes)}/day`)
  }
  if (d.generatorProblems.length) {
    out.push(`  ⚠ generator saturated — its own delay is in these latencies: ${d.generatorProblems.join('; ')}`)
  }
  for (const t of d.thresholds) {
    out.push(`  ${t.ok ? '✓' : '✗'} ${t.key} ${t.source}  (actual ${t.actual === null ? 'no data' : +t.actual.toFixed(3)})`)
  }
  return out.join('\n')
}

/** The rows every endpoint table shows (text, Markdown, HTML): each endpoint, then the total when there are several. */
export function endpointRows(d: BlockDigest): RowDigest[] {
  return [...d.endpoints, ...(d.endpoints.length === 1 ? [] : [d.total])]
}

/** A row as text: name, requests, rps, error %, then p50 p90 p95 p99 max in ms (`dash` without samples). */
export function rowCells(r: RowDigest, dash = '-'): string[] {
  const l = r.latency
  const f = (v: number | undefined) => (v === undefined ? dash : v >= 100 ? v.toFixed(0) : v.toFixed(2))
  return [r.name, String(r.requests), r.rps.toFixed(1), (r.errorRate * 100).toFixed(2), f(l?.p50), f(l?.p90), f(l?.p95), f(l?.p99), f(l?.max)]
}

function align(rows: string[][]): string[] {
  const w = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i] as number) : c.padStart(w[i] as number))).join('  '))
}

export function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(2)} GB`
}
