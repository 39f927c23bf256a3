/**
 * Per perf block, in the report directory: `<name>.json` (the complete, mergeable result) and
 * Locust's four CSV files `<name>_stats.csv`, `<name>_stats_history.csv`, `<name>_failures.csv`, `<name>_exceptions.csv`.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PerfResult } from '../metrics/result.ts'
import type { ResultData } from '../metrics/result-data.ts'
import { locustCsv } from './locust-csv.ts'
import { redactResult } from './redact.ts'
import { htmlReport } from './html.ts'

/** `relay: send under load` → `relay-send-under-load`. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'perf'
}

/** Writes the files (credentials redacted) and returns their paths, the JSON result first. */
export function writeResultFiles(result: PerfResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true })
  const base = join(dir, slug(result.name))
  const safe = new PerfResult(redactResult(result.toJSON()))
  const csv = locustCsv(safe)
  const files: [string, string][] = [
    [`${base}.json`, JSON.stringify(safe.toJSON())],
    [`${base}_stats.csv`, csv.stats],
    [`${base}_stats_history.csv`, csv.history],
    [`${base}_failures.csv`, csv.failures],
    [`${base}_exceptions.csv`, csv.exceptions],
  ]
  for (const [path, text] of files) writeFileSync(path, text)
  return files.map(([p]) => p)
}

/** The name of the run's HTML report in the report directory. */
export const HTML_REPORT = 'report.html'

/** Writes the HTML report of a run's results to `path` and returns it. */
export function writeHtmlReport(results: readonly ResultData[], path: string): string {
  writeFileSync(path, htmlReport(results))
  return path
}
