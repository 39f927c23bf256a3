/**
 * The loadspec reporter: a progress line per running perf block about once a second (in a
 * terminal, not in CI), then at the end one summary table per run, the Markdown job summary in
 * GitHub Actions and the HTML report. Every hook is guarded: a reporter that throws must never
 * abort the test run.
 */
import type { Reporter, TestCase, Vitest } from 'vitest/node'
import type { TestArtifact } from 'vitest'
import type { BlockDigest } from '../../report/summary.ts'
import { formatBlock } from '../../report/table.ts'
import { colorEnabled, palette } from '../../report/colors.ts'
import { markdownSummary } from '../../report/markdown.ts'
import { HTML_REPORT, writeHtmlReport } from '../../report/files.ts'
import type { ResultData } from '../../metrics/result-data.ts'
import { appendFileSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { META_KEY } from './meta.ts'
import { PROGRESS_ARTIFACT, progressLine, type ProgressFigures } from './progress-figures.ts'

export interface ReporterOptions {
  /** Print the end-of-run summary. @default true */
  summary?: boolean
  /** Print live progress lines while perf blocks run. @default false (the plugin decides) */
  progress?: boolean
}

export class LoadspecReporter implements Reporter {
  private vitest: Vitest | undefined
  private readonly digests: { test: string; digest: BlockDigest }[] = []
  constructor(private readonly options: ReporterOptions = {}) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    this.digests.length = 0
  }

  onTestCaseArtifactRecord(_testCase: TestCase, artifact: TestArtifact): void {
    if (!this.options.progress || (artifact as { type?: string }).type !== PROGRESS_ARTIFACT) return
    guard(() => this.log(progressLine(artifact as unknown as ProgressFigures)))
  }

  onTestCaseResult(testCase: TestCase): void {
    guard(() => {
      const list = testCase.meta()[META_KEY as 'loadspec']
      if (Array.isArray(list)) for (const d of list) this.digests.push({ test: testCase.fullName, digest: d })
    })
  }

  onTestRunEnd(): void {
    if (this.digests.length === 0) return
    const digests = this.digests.map((d) => d.digest)
    // In GitHub Actions the Markdown summary goes on the job's summary page.
    guard(() => {
      const stepSummary = process.env['GITHUB_STEP_SUMMARY']
      if (stepSummary) appendFileSync(stepSummary, markdownSummary(digests) + '\n')
    })
    let html: string[] = []
    guard(() => { html = writeHtmlReports(digests) })
    if (this.options.summary === false) return
    guard(() => {
      const root = this.vitest?.config.root ?? process.cwd()
      const links = html.map((p) => `HTML report: ${relative(root, p) || p}`)
      // Colour only where the summary lands on a terminal, or where the user forces it.
      const stream = (this.vitest?.logger.outputStream ?? process.stdout) as { isTTY?: boolean }
      const colors = palette(colorEnabled(process.env, stream))
      this.log(['', ' loadspec ', '', ...digests.map((d) => formatBlock(d, colors) + '\n'), ...links].join('\n'))
    })
  }

  private log(text: string): void {
    if (this.vitest) this.vitest.logger.log(text)
    else process.stdout.write(text + '\n')
  }
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

function guard(fn: () => void): void {
  try {
    fn()
  } catch (err) {
    process.stderr.write(`loadspec reporter: ${err instanceof Error ? err.message : String(err)}\n`)
  }
}
