/**
 * What `loadspec run` and `loadspec merge` write: `--out json=…,csv=…,html=…,markdown=…` (k6's
 * `--out` form, repeatable or comma-separated), `--summary-export` (k6's end-of-test summary
 * JSON), and the Markdown summary on a GitHub Actions job page.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { CliError } from '../errors.ts'
import type { PerfResult } from '../metrics/result.ts'
import { locustCsv } from '../report/locust-csv.ts'
import { markdownSummary } from '../report/markdown.ts'
import { redactResult } from '../report/redact.ts'
import { htmlReport } from '../report/html.ts'
import { digest } from '../report/summary.ts'
import { PerfResult as Result } from '../metrics/result.ts'

const KINDS = ['json', 'csv', 'html', 'markdown'] as const
export type OutKind = (typeof KINDS)[number]
export type OutSpecs = Partial<Record<OutKind, string>>

/** `['json=a.json,csv=out/a', 'html=r.html']` → `{ json, csv, html }`; a wrong entry names `--out`. */
export function parseOutSpecs(values: string | readonly string[] | undefined): OutSpecs {
  const specs: OutSpecs = {}
  const list = values === undefined ? [] : typeof values === 'string' ? [values] : values
  for (const entry of list.flatMap((v) => String(v).split(',')).map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=')
    const kind = (eq > 0 ? entry.slice(0, eq) : entry) as OutKind
    const path = eq > 0 ? entry.slice(eq + 1) : ''
    if (!KINDS.includes(kind)) throw new CliError(`--out: ${JSON.stringify(entry)}: unknown output "${kind}"; use ${KINDS.map((k) => `${k}=PATH`).join(', ')}`)
    if (!path) throw new CliError(`--out: ${JSON.stringify(entry)} needs a path, e.g. ${kind}=${kind === 'csv' ? 'results/run' : `results/run.${kind === 'markdown' ? 'md' : kind}`}`)
    specs[kind] = path
  }
  return specs
}

/** Writes every requested output (credentials redacted) and returns the paths written. */
export function writeOutputs(result: PerfResult, specs: OutSpecs, summaryExport: string | undefined): string[] {
  const safe = new Result(redactResult(result.toJSON()))
  const files: [string, string][] = []
  if (specs.json) files.push([specs.json, JSON.stringify(safe.toJSON())])
  if (specs.csv) {
    // Locust's own naming: --csv PREFIX writes PREFIX_stats.csv, PREFIX_stats_history.csv, …
    const csv = locustCsv(safe)
    files.push([`${specs.csv}_stats.csv`, csv.stats], [`${specs.csv}_stats_history.csv`, csv.history], [`${specs.csv}_failures.csv`, csv.failures])
  }
  if (specs.html) files.push([specs.html, htmlReport([safe.toJSON()])])
  if (specs.markdown) files.push([specs.markdown, markdownSummary([digest(safe)]) + '\n'])
  if (summaryExport) files.push([summaryExport, JSON.stringify(k6SummaryExport(safe), null, 2)])
  for (const [path, text] of files) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
  }
  const step = process.env['GITHUB_STEP_SUMMARY']
  if (step) appendFileSync(step, markdownSummary([digest(safe)]) + '\n')
  return files.map(([p]) => p)
}

type K6Metric = Record<string, number | Record<string, boolean>>

/**
 * k6's `--summary-export` file: per metric, trends as avg/min/med/max/p(90)/p(95) in ms,
 * counters count/rate, rates passes/fails/value, gauges value/min/max, and each threshold as
 * `"p(95)<500": false`, where the value tells whether it failed (as k6 writes it).
 */
export function k6SummaryExport(result: PerfResult): { metrics: Record<string, K6Metric> } {
  const metrics: Record<string, K6Metric> = {}
  const names = [...new Set(result.toJSON().metrics.series.map((s) => s.name))].sort()
  for (const name of names) {
    const m = result.metric(name)
    if (!m) continue
    let out: K6Metric
    switch (m.type) {
      case 'trend': out = { avg: m.mean, min: m.min, med: m.p50, max: m.max, 'p(90)': m.p90, 'p(95)': m.p95 }; break
      case 'counter': out = { count: m.count, rate: m.rate }; break
      case 'rate': out = { passes: m.passes, fails: m.fails, value: m.rate }; break
      case 'gauge': out = { value: m.value, min: m.min, max: m.max }; break
    }
    const own = result.thresholds.filter((t) => t.key === name)
    if (own.length) out['thresholds'] = Object.fromEntries(own.map((t) => [t.source, !t.ok]))
    metrics[name] = out
  }
  // Thresholds on tagged sub-metrics are listed under their own key, as k6 does.
  for (const t of result.thresholds) {
    if (names.includes(t.key)) continue
    const entry = (metrics[t.key] ??= { thresholds: {} })
    ;(entry['thresholds'] as Record<string, boolean>)[t.source] = !t.ok
  }
  return { metrics }
}
