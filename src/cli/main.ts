/**
 * The `loadspec` command line: `run <file…>` runs load outside any test runner, as `k6 run`;
 * `merge <results…>` merges the shards of one load and judges it whole; `report <result.json...>`
 * writes the HTML report of saved results; `compare <base.json> <head.json> [--markdown]` prints
 * a per-figure table and exits 1 on a regression. Returns the exit code instead of exiting, so
 * tests call it. `run` and `merge` exit with k6's codes (99: a threshold was breached).
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { HTML_REPORT, writeHtmlReport } from '../report/files.ts'
import { cac } from 'cac'
import { CliError } from '../errors.ts'
import { PerfResult } from '../metrics/result.ts'
import type { ResultData } from '../metrics/result-data.ts'
import { compareResults, formatComparison, type Tolerances } from '../report/compare.ts'

import { stdio, type Io } from './io.ts'
import { runCommand, type RunFlags } from './run-command.ts'
import { mergeCommand, type MergeFlags } from './merge-command.ts'
import { exitCodeOf } from './exit-codes.ts'

export type { Io }

export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  const cli = cac('loadspec')
  let code = 0
  // Errors of run and merge exit with k6's codes; those of report and compare with 2.
  let k6Codes = false
  cli.command('run <...files>', 'Run a k6-shaped module (export options, default VU function, setup/teardown) or the perf() blocks of a test file')
    .option('--profile <name>', 'Profile of the block to apply (as LOADSPEC_PROFILE)')
    .option('--vus <n>', 'VUs (replaces the file\'s load shape, as in k6)')
    .option('--duration <d>', 'How long to run, e.g. 30s, 2m (replaces the file\'s load shape)')
    .option('--iterations <n>', 'Total iterations shared by the VUs')
    .option('--rate <n>', 'Iterations per second (constant-arrival-rate; needs --duration)')
    .option('--workers <n>', 'Worker threads that make the load (0: this process\'s own thread)')
    .option('--grep <text>', 'Only the perf() blocks whose name contains the text')
    .option('--out <outputs>', 'json=PATH, csv=PREFIX, html=PATH, markdown=PATH (comma-separated or repeated)')
    .option('--summary-export <file>', 'Write k6\'s end-of-test summary JSON')
    .option('--segment <i/n>', 'Make only this share of the load: the i-th of n equal segments (or LOADSPEC_SEGMENT)')
    .option('--execution-segment <from:to>', 'k6\'s form of the share, e.g. 1/4:1/2 or 25%:50%')
    .option('--execution-segment-sequence <points>', 'k6\'s boundaries of all shares, e.g. 0,1/4,1/2,1')
    .option('--start-at <time>', 'Start the load at this time (ISO or epoch ms), so shards line up')
    .option('--quiet', 'No live progress')
    .action(async (files: string[], o: RunFlags) => { k6Codes = true; code = await runCommand(files, o, io) })
  cli.command('merge <...results>', 'Merge the JSON results of the shards of one load exactly, judge its thresholds on the whole, write its outputs')
    .option('--out <outputs>', 'json=PATH, csv=PREFIX, html=PATH, markdown=PATH (comma-separated or repeated)')
    .option('--summary-export <file>', 'Write k6\'s end-of-test summary JSON')
    .action((results: string[], o: MergeFlags) => { k6Codes = true; code = mergeCommand(results, o, io) })
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
    if (/^(run|merge)$/.test(argv[0] ?? '')) k6Codes = true
    if (!cli.matchedCommand) {
      if (!cli.options['help']) { io.err(`loadspec: unknown command ${JSON.stringify(argv[0] ?? '')}; try loadspec --help`); return 2 }
      return 0
    }
    await cli.runMatchedCommand()
    return code
  } catch (caught) {
    // cac's own errors (unknown option, missing argument) are misuse of the command line too.
    const err = (caught as Error).name === 'CACError' ? new CliError((caught as Error).message) : caught
    io.err(`loadspec: ${(err as Error).message}`)
    return k6Codes || /^(run|merge)$/.test(argv[0] ?? '') ? exitCodeOf(err) : 2
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
