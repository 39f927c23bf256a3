/**
 * The end of a test run, the same for every runner's reporter: the Markdown summary on GitHub's
 * job summary page, one HTML report per report directory, and the summary table. Each part is
 * guarded: a reporter that throws must never abort the test run.
 */
import { appendFileSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import type { ResultData } from '../metrics/result-data.ts'
import { colorEnabled, palette } from '../report/colors.ts'
import { HTML_REPORT, writeHtmlReport } from '../report/files.ts'
import { markdownSummary } from '../report/markdown.ts'
import type { BlockDigest } from '../report/summary.ts'
import { formatBlock } from '../report/table.ts'

export interface RunEndOptions {
  /** Print the summary table. @default true */
  readonly summary?: boolean | undefined
  /** Paths in the summary are shown relative to this directory. */
  readonly root: string
  /** Where the summary lands: coloured only on a terminal, unless the user forces it. */
  readonly stream: { isTTY?: boolean }
  readonly log: (text: string) => void
}

export function finishRun(digests: readonly BlockDigest[], options: RunEndOptions): void {
  if (digests.length === 0) return
  guard(() => {
    const stepSummary = process.env['GITHUB_STEP_SUMMARY']
    if (stepSummary) appendFileSync(stepSummary, markdownSummary(digests) + '\n')
  })
  let html: string[] = []
  guard(() => { html = writeHtmlReports(digests) })
  if (options.summary === false) return
  guard(() => {
    const links = html.map((p) => `HTML report: ${relative(options.root, p) || p}`)
    const colors = palette(colorEnabled(process.env, options.stream))
    options.log(['', ' loadspec ', '', ...digests.map((d) => formatBlock(d, colors) + '\n'), ...links].join('\n'))
  })
}

/** One report.html per report directory, from the JSON results this run wrote there. */
function writeHtmlReports(digests: readonly BlockDigest[]): string[] {
  const byDir = new Map<string, ResultData[]>()
  for (const d of digests) {
    if (!d.resultFile) continue
    const dir = dirname(d.resultFile)
    const list = byDir.get(dir) ?? []
    list.push(JSON.parse(readFileSync(d.resultFile, 'utf8')) as ResultData)
    byDir.set(dir, list)
  }
  return [...byDir].map(([dir, results]) => writeHtmlReport(results, join(dir, HTML_REPORT)))
}

/** Runs `fn`, reporting instead of throwing what it throws. */
export function guard(fn: () => void): void {
  try {
    fn()
  } catch (err) {
    process.stderr.write(`loadspec reporter: ${err instanceof Error ? err.message : String(err)}\n`)
  }
}
