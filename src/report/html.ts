/**
 * The HTML report: one self-contained file for a test run (every perf block), viewable offline.
 * Text is escaped where it enters markup; chart data travels as an escaped JSON block; a Content
 * Security Policy allows only our own two scripts (by hash), so even a missed escape cannot run one.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { PerfResult } from '../metrics/result.ts'
import type { ResultData } from '../metrics/result-data.ts'
import { digest, type BlockDigest, type RowDigest } from './summary.ts'
import { chartsOf } from './html-charts.ts'
import { escapeHtml as h, jsonForScript } from './html-escape.ts'
import { redactResult } from './redact.ts'
import { bytes, endpointRows, rowCells } from './table.ts'
import { formatDuration } from '../core/duration.ts'

const require = createRequire(import.meta.url)
const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8')

/** uPlot and our renderer, read once per process. */
let scripts: { uplot: string; uplotCss: string; client: string; css: string } | null = null
function assets(): NonNullable<typeof scripts> {
  scripts ??= {
    uplot: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    client: asset('report-client.js'),
    css: asset('report.css'),
  }
  return scripts
}

export interface HtmlReportOptions {
  /** Page title. @default 'loadspec report' */
  readonly title?: string
  /** When the report was made (shown in the header). @default now */
  readonly generatedAt?: Date
}

/** The report page for the results of one run. */
export function htmlReport(results: readonly ResultData[], options: HtmlReportOptions = {}): string {
  const a = assets()
  const views = results.map((r) => new PerfResult(redactResult(r)))
  const blocks = views.map((v, i) => block(v, digest(v), i)).join('\n')
  const data = jsonForScript({ blocks: views.map(chartsOf) })
  const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`
  const csp = `default-src 'none'; script-src ${hash(a.uplot)} ${hash(a.client)}; style-src 'unsafe-inline'; img-src data:`
  const title = options.title ?? 'loadspec report'
  const when = (options.generatedAt ?? new Date()).toISOString().replace('T', ' ').slice(0, 19) + ' UTC'
  const failed = views.filter((v) => !v.thresholdsPassed).length
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${a.uplotCss}\n${a.css}</style>
</head>
<body>
<header><h1>${h(title)}</h1><p>${views.length} perf block${views.length === 1 ? '' : 's'} · ${failed ? `${failed} with breached thresholds` : 'all thresholds met'} · generated ${h(when)}</p></header>
<main>
${blocks || '<p class="muted">No perf block ran.</p>'}
</main>
<script type="application/json" id="loadspec-data">${data}</script>
<script>${a.uplot}</script>
<script>${a.client}</script>
</body>
</html>
`
}

function block(v: PerfResult, d: BlockDigest, i: number): string {
  const verdict = d.thresholds.length === 0 ? '<span class="badge">no thresholds</span>'
    : v.thresholdsPassed ? '<span class="badge pass">thresholds met</span>' : '<span class="badge fail">thresholds breached</span>'
  const warn = [
    d.aborted ? `<span class="badge fail">aborted: ${h(d.aborted)}</span>` : '',
    d.generatorProblems.length ? '<span class="badge warn">generator saturated</span>' : '',
  ].join('')
  const t = d.total
  const l = t.latency
  const cards = [
    [formatDuration(d.durationMs), 'duration'], [String(t.requests), 'requests'], [t.rps.toFixed(1), 'requests/s'],
    [`${(t.errorRate * 100).toFixed(2)} %`, 'errors'], [`${ms(l?.p50)} ms`, 'p50'], [`${ms(l?.p95)} ms`, 'p95'], [`${ms(l?.p99)} ms`, 'p99'],
    [String(d.iterations.completed), 'iterations'], [String(d.workers), d.workers === 1 ? 'worker' : 'workers'],
  ]
  return `<section class="block" id="block-${i}">
<h2>${h(d.name)}${verdict}${warn}</h2>
<p class="muted">started ${h(new Date(v.startTime).toISOString())}${planLine(v)}</p>
<div class="cards">${cards.map(([value, label]) => `<div class="card"><b>${h(value as string)}</b><span>${h(label as string)}</span></div>`).join('')}</div>
<div class="charts" id="charts-${i}"><div data-chart="latency"></div><div data-chart="rps"></div><div data-chart="errors"></div><div data-chart="vus"></div></div>
${thresholdTable(d)}
<h3>Endpoints</h3>
${endpointTable(d)}
${errorSection(v, d)}
${otherFacts(v, d)}
</section>`
}

function planLine(v: PerfResult): string {
  const plan = v.data.plan as { profile?: string; units?: { name: string; executor: string; userTypes: string[] }[] } | undefined
  if (!plan) return ''
  const units = (plan.units ?? []).map((u) => `${u.name} (${u.executor}${u.userTypes.length > 1 ? `: ${u.userTypes.join(', ')}` : ''})`).join(', ')
  return ` · ${h(units)}${plan.profile ? ` · profile ${h(plan.profile)}` : ''}`
}

function thresholdTable(d: BlockDigest): string {
  if (d.thresholds.length === 0) return ''
  const rows = d.thresholds.map((t) => `<tr><td class="text">${t.ok ? '<span class="badge pass">✓</span>' : '<span class="badge fail">✗</span>'}</td>` +
    `<td class="text">${h(t.key)}</td><td class="text">${h(t.source)}</td><td>${t.actual === null ? 'no data' : h(+t.actual.toFixed(3))}</td></tr>`).join('')
  return `<h3>Thresholds</h3><table><tr><th class="text"></th><th class="text">metric</th><th class="text">threshold</th><th>actual</th></tr>${rows}</table>`
}

function endpointTable(d: BlockDigest): string {
  const row = (r: RowDigest) => { const [name, ...figures] = rowCells(r, '–')
    return `<tr><td class="text">${h(name as string)}</td>${figures.map((c) => `<td>${c}</td>`).join('')}</tr>` }
  const rows = endpointRows(d).map(row).join('')
  return `<table><tr><th class="text">endpoint</th><th>requests</th><th>rps</th><th>err %</th><th>p50 ms</th><th>p90 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr>${rows}</table>`
}

function errorSection(v: PerfResult, d: BlockDigest): string {
  if (v.errors.total === 0) return '<h3>Errors</h3><p class="muted">none</p>'
  const kinds = Object.entries(d.errorsByKind).map(([k, n]) => `${h(k)} ${n}`).join(', ')
  const status = Object.entries(d.errorsByStatus).map(([s, n]) => `${h(s)} ×${n}`).join(', ')
  const rows = v.errors.samples.map((s) => `<tr><td>${s.count}</td><td class="text">${h(s.kind)}</td><td class="text">${h(s.status ?? '')}</td>` +
    `<td class="text">${h(s.endpoint ?? '')}</td><td class="message">${h(s.message)}</td></tr>`).join('')
  return `<h3>Errors</h3><p>${v.errors.total} errors: ${kinds}${status ? ` · by status: ${status}` : ''}</p>
<table class="errors"><tr><th>count</th><th class="text">kind</th><th class="text">status</th><th class="text">endpoint</th><th class="text">message (sample)</th></tr>${rows}</table>`
}

function otherFacts(v: PerfResult, d: BlockDigest): string {
  const out: string[] = []
  if (d.checks.passes + d.checks.fails > 0) out.push(`checks: ${d.checks.passes} passed, ${d.checks.fails} failed`)
  const it = d.iterations
  out.push(`iterations: ${it.completed} completed, ${it.interrupted} interrupted, ${it.dropped} dropped` +
    (d.scheduleLagP99 !== undefined ? ` · schedule lag p99 ${d.scheduleLagP99.toFixed(2)} ms` : ''))
  if (d.data.sent + d.data.received > 0) out.push(`data: sent ${bytes(d.data.sent)}, received ${bytes(d.data.received)} · projected ${bytes(d.data.perHourBytes)}/hour`)
  for (const w of v.generator.workers) {
    out.push(`generator worker ${w.worker}: CPU ${(w.cpu * 100).toFixed(0)} %, event-loop busy ${(w.eventLoopUtilization * 100).toFixed(0)} %, loop delay p99 ${w.loopDelayP99Ms.toFixed(1)} ms, max ${w.loopDelayMaxMs.toFixed(1)} ms, heap ${w.heapUsedMb.toFixed(0)} of ${w.heapLimitMb.toFixed(0)} MB`)
  }
  for (const p of d.generatorProblems) out.push(`⚠ ${p}`)
  return `<h3>Run</h3><ul>${out.map((s) => `<li>${h(s)}</li>`).join('')}</ul>`
}

function ms(v: number | undefined): string {
  return v === undefined ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(2)
}
