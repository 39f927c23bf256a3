/**
 * The loadspec reporter: collects each perf run's digest from test metadata and prints one
 * summary table per run at the end. Every hook is guarded: a reporter that throws must never
 * abort the test run.
 */
import type { Reporter, TestCase, Vitest } from 'vitest/node'
import type { BlockDigest } from '../../report/summary.ts'
import { formatBlock } from '../../report/table.ts'
import { markdownSummary } from '../../report/markdown.ts'
import { appendFileSync } from 'node:fs'
import { META_KEY } from './meta.ts'

export interface ReporterOptions {
  /** Print the end-of-run summary. @default true */
  summary?: boolean
}

export class LoadspecReporter implements Reporter {
  private vitest: Vitest | undefined
  private readonly digests: { test: string; digest: BlockDigest }[] = []
  constructor(private readonly options: ReporterOptions = {}) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    this.digests.length = 0
  }

  onTestCaseResult(testCase: TestCase): void {
    guard(() => {
      const list = testCase.meta()[META_KEY as 'loadspec']
      if (Array.isArray(list)) for (const d of list) this.digests.push({ test: testCase.fullName, digest: d })
    })
  }

  onTestRunEnd(): void {
    guard(() => {
      if (this.digests.length === 0) return
      // In GitHub Actions the Markdown summary goes on the job's summary page.
      const stepSummary = process.env['GITHUB_STEP_SUMMARY']
      if (stepSummary) appendFileSync(stepSummary, markdownSummary(this.digests.map((d) => d.digest)) + '\n')
      if (this.options.summary === false) return
      const text = ['', ' loadspec ', '', ...this.digests.map((d) => formatBlock(d.digest) + '\n')].join('\n')
      if (this.vitest) this.vitest.logger.log(text)
      else process.stdout.write(text + '\n')
    })
  }
}

function guard(fn: () => void): void {
  try {
    fn()
  } catch (err) {
    process.stderr.write(`loadspec reporter: ${err instanceof Error ? err.message : String(err)}\n`)
  }
}
