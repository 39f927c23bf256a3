/**
 * The end-of-run text summary of a perf block: per-endpoint requests, rate, errors and latency
 * percentiles, then errors, bandwidth and thresholds. Plain text unless the caller passes a
 * palette (the reporter does when its output is a terminal, see colors.ts).
 */
import type { BlockDigest, FaultDigest, RowDigest } from './summary.ts'
import { formatDuration } from '../core/duration.ts'
import { PLAIN, type Palette } from './colors.ts'

/** Latency columns name their unit, as the HTML report's do. */
export const LATENCY_HEADERS = ['p50 ms', 'p90 ms', 'p95 ms', 'p99 ms', 'max ms'] as const
const HEAD = ['endpoint', 'reqs', 'rps', 'err%', ...LATENCY_HEADERS]

/** Column of the error rate in `rowCells`, coloured when errors happened. */
const ERR_COLUMN = 3

/** The summary of one block; `c` colours ✓ / ✗, breached figures and warnings (default: none). */
export function formatBlock(d: BlockDigest, c: Palette = PLAIN): string {
  const passed = d.thresholds.filter((t) => t.ok).length
  const all = passed === d.thresholds.length
  const verdict = d.thresholds.length ? (all ? c.ok : c.bad)(`${all ? '✓' : '✗'} thresholds ${passed}/${d.thresholds.length}`) : 'no thresholds'
  const threads = d.workers > 1 ? `  ·  ${d.workers} workers` : ''
  const out = [`${d.name}  ·  ${formatDuration(d.durationMs)}${threads}  ·  ${verdict}${d.aborted ? c.warn(`  ·  aborted: ${d.aborted}`) : ''}`]
  const rows = endpointRows(d)
  const cells = align([HEAD, ...rows.map((r) => rowCells(r))])
  // Padded first, coloured after: escapes must not count towards the column widths.
  cells.forEach((line, i) => {
    const row = rows[i - 1]
    if (row && row.errorRate > 0) line[ERR_COLUMN] = c.bad(line[ERR_COLUMN] as string)
    out.push('  ' + line.join('  '))
  })
  const it = d.iterations
  out.push(`  iterations: ${it.completed} completed${it.interrupted ? `, ${it.interrupted} interrupted` : ''}${it.dropped ? `, ${it.dropped} dropped` : ''}` +
    (d.scheduleLagP99 !== undefined ? ` · schedule lag p99 ${d.scheduleLagP99.toFixed(2)} ms` : ''))
  if (d.checks.passes + d.checks.fails > 0) out.push(`  checks: ${d.checks.passes} passed, ${d.checks.fails} failed`)
  const kinds = Object.entries(d.errorsByKind)
  if (kinds.length) {
    const status = Object.entries(d.errorsByStatus).map(([s, n]) => `${s} ×${n}`).join(', ')
    out.push(`  ${c.bad('errors:')} ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')}${status ? ` (by status: ${status})` : ''}`)
    for (const s of d.errorSamples.slice(0, 3)) out.push(`    ${s.count}× ${s.endpoint ? s.endpoint + ': ' : ''}${s.message}`)
  }
  if (d.data.sent + d.data.received > 0) {
    out.push(`  data: ↑ ${bytes(d.data.sent)} (${d.data.kbpsOut.toFixed(1)} kbps)  ↓ ${bytes(d.data.received)} (${d.data.kbpsIn.toFixed(1)} kbps)` +
      `  · projected ${bytes(d.data.perHourBytes)}/hour, ${bytes(d.data.perDayBytes)}/day`)
  }
  if (d.generatorProblems.length) {
    out.push(c.warn(`  ⚠ generator saturated — its own delay is in these latencies: ${d.generatorProblems.join('; ')}`))
  }
  for (const f of d.faults ?? []) out.push(c.warn(`  ⚡ ${faultLine(f)}`))
  for (const t of d.thresholds) {
    const actual = `actual ${t.actual === null ? 'no data' : +t.actual.toFixed(3)}`
    out.push(`  ${t.ok ? c.ok('✓') : c.bad('✗')} ${t.key} ${t.source}  (${t.ok ? actual : c.bad(actual)})`)
  }
  return out.join('\n')
}

/** `kill api for 2s at 5.0–7.0 s · recovered 1.0 s after it ended`, for the text and Markdown summaries. */
export function faultLine(f: FaultDigest): string {
  const rec = f.recoveryMs === null ? 'not recovered by the end of the load' : `recovered ${(f.recoveryMs / 1000).toFixed(1)} s after it ended`
  return `${f.label} at ${(f.atMs / 1000).toFixed(1)}–${(f.endMs / 1000).toFixed(1)} s · ${rec}`
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

/** Pads every cell to its column's width: the first column left-aligned, figures right-aligned. */
function align(rows: string[][]): string[][] {
  const w = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i] as number) : c.padStart(w[i] as number))))
}

export function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(2)} GB`
}
