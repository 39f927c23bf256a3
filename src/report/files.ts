/**
 * Per perf block, in the report directory: `<name>.json` (the complete, mergeable result) and
 * Locust's three CSV files `<name>_stats.csv`, `<name>_stats_history.csv`, `<name>_failures.csv`.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PerfResult } from '../metrics/result.ts'
import { locustCsv } from './locust-csv.ts'

/** `relay: send under load` → `relay-send-under-load`. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'perf'
}

/** Writes the files and returns their paths. */
export function writeResultFiles(result: PerfResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true })
  const base = join(dir, slug(result.name))
  const csv = locustCsv(result)
  const files: [string, string][] = [
    [`${base}.json`, JSON.stringify(result.toJSON())],
    [`${base}_stats.csv`, csv.stats],
    [`${base}_stats_history.csv`, csv.history],
    [`${base}_failures.csv`, csv.failures],
  ]
  for (const [path, text] of files) writeFileSync(path, text)
  return files.map(([p]) => p)
}
