/** A Markdown summary of perf blocks for pull requests (GitHub's job summary). */
import type { BlockDigest } from './summary.ts'
import { bytes, endpointRows, faultLine, LATENCY_HEADERS, rowCells } from './table.ts'

export function markdownSummary(blocks: readonly BlockDigest[]): string {
  const out = ['## loadspec', '']
  for (const d of blocks) {
    const passed = d.thresholds.filter((t) => t.ok).length
    const verdict = d.thresholds.length ? `${passed === d.thresholds.length ? '✅' : '❌'} thresholds ${passed}/${d.thresholds.length}` : 'no thresholds'
    out.push(`### ${escape(d.name)}`, '', `${(d.durationMs / 1000).toFixed(1)} s · ${verdict}${d.generatorProblems.length ? ' · ⚠️ generator saturated' : ''}`, '')
    out.push(`| endpoint | reqs | rps | err % | ${LATENCY_HEADERS.join(' | ')} |`, '|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    for (const r of endpointRows(d)) {
      const [name, ...figures] = rowCells(r, '–')
      out.push(`| ${escape(name as string)} | ${figures.join(' | ')} |`)
    }
    out.push('')
    for (const f of d.faults ?? []) out.push(`- ⚡ ${escape(faultLine(f))}`)
    for (const t of d.thresholds) out.push(`- ${t.ok ? '✅' : '❌'} ${code(`${t.key} ${t.source}`)} (actual ${t.actual === null ? 'no data' : +t.actual.toFixed(3)})`)
    if (d.data.sent + d.data.received > 0) out.push(`- data: ↑ ${bytes(d.data.sent)} ↓ ${bytes(d.data.received)}`)
    out.push('')
  }
  return out.join('\n')
}

/** Names come from users and servers: keep them from breaking the table or adding markup. */
function escape(s: string): string {
  return s.replace(/[|`<>*_[\]\\]/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** A code span shows its text literally (entities too), so only backticks need care: fence with more. */
function code(s: string): string {
  const run = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(run + 1)
  return `${fence}${run ? ' ' : ''}${s}${run ? ' ' : ''}${fence}`
}
