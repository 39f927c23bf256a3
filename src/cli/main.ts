/**
 * The `loadspec` command line: `report <result.json...>` writes the HTML report of saved results;
 * `compare <base.json> <head.json> [--markdown]` prints a per-figure table and exits 1 on a
 * regression. Returns the exit code instead of exiting, so tests call it.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { HTML_REPORT, writeHtmlReport } from '../report/files.ts'
import { cac } from 'cac'
import { CliError } from '../errors.ts'
import { PerfResult } from '../metrics/result.ts'
import type { ResultData } from '../metrics/result-data.ts'
import { compareResults, formatComparison, type Tolerances } from '../report/compare.ts'

export interface Io { out(text: string): void; err(text: string): void }
const stdio: Io = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') }

export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  const cli = cac('loadspec')
  let code = 0
  cli.command('report <...results>', 'Write the HTML report of one or more results (the JSON a perf block writes)')
    .option('-o, --out <file>', 'Where to write the report (default: report.html beside the first result)')
    .action((results: string[], o: { out?: string }) => {
      const out = o.out ?? join(dirname(results[0] as string), HTML_REPORT)
      writeHtmlReport(results.map((r) => load(r).toJSON()), out)
      io.out(`HTML report: ${out}`)
    })
  cli.command('compare <base> <head>', 'Compare two results (JSON written per perf block); exit 1 on a regression')
    .option('--markdown', 'Print a Markdown table (for pull requests)')
    .option('--p95 <fraction>', 'Allowed relative rise of p95 latency (default 0.10)')
    .option('--error-rate <points>', 'Allowed rise of the error rate, absolute (default 0.005)')
    .option('--throughput <fraction>', 'Allowed relative drop of throughput (default 0.10)')
    .action((base: string, head: string, o: { markdown?: boolean; p95?: string; errorRate?: string; throughput?: string }) => {
      const tol: Tolerances = {}
      for (const [key, raw] of [['p95', o.p95], ['errorRate', o.errorRate], ['throughput', o.throughput]] as const) {
        if (raw === undefined) continue
        const n = Number(raw)
        if (!Number.isFinite(n) || n < 0) throw new CliError(`--${key === 'errorRate' ? 'error-rate' : key}: ${JSON.stringify(raw)} is not a number ≥ 0`)
        tol[key] = n
      }
      const c = compareResults(load(base), load(head), tol)
      io.out(formatComparison(c, o.markdown === true))
      code = c.regressions > 0 ? 1 : 0
    })
  cli.help()
  try {
    cli.parse(['node', 'loadspec', ...argv], { run: false })
    if (!cli.matchedCommand) {
      if (!cli.options['help']) { io.err(`loadspec: unknown command ${JSON.stringify(argv[0] ?? '')}; try loadspec --help`); return 2 }
      return 0
    }
    await cli.runMatchedCommand()
    return code
  } catch (err) {
    io.err(`loadspec: ${(err as Error).message}`)
    return 2
  }
}

function load(path: string): PerfResult {
  let data: unknown
  try {
    data = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new CliError(`${path}: cannot read a result (${(err as Error).message})`)
  }
  const d = data as Partial<ResultData>
  if (d.version !== 1 || !d.metrics || !Array.isArray(d.metrics.series)) throw new CliError(`${path}: not a loadspec result (expected the JSON a perf block writes to its report directory)`)
  return new PerfResult(d as ResultData)
}
