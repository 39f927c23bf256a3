/**
 * The loadspec reporter for Vitest: a progress line per running perf block about once a second
 * (in a terminal, not in CI), then at the end what every runner's reporter does
 * (src/harness/run-end.ts). Every hook is guarded: a reporter that throws must never abort the
 * test run.
 */
import type { Reporter, TestCase, Vitest } from 'vitest/node'
import type { TestArtifact } from 'vitest'
import type { BlockDigest } from '../../report/summary.ts'
import { finishRun, guard } from '../../harness/run-end.ts'
import { PROGRESS_ARTIFACT, progressLine, type ProgressFigures } from '../../harness/progress.ts'
import { META_KEY } from './meta.ts'

export interface ReporterOptions {
  /** Print the end-of-run summary. @default true */
  summary?: boolean
  /** Print live progress lines while perf blocks run. @default false (the plugin decides) */
  progress?: boolean
}

export class LoadspecReporter implements Reporter {
  private vitest: Vitest | undefined
  private readonly digests: BlockDigest[] = []
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
      if (Array.isArray(list)) this.digests.push(...list)
    })
  }

  onTestRunEnd(): void {
    finishRun(this.digests, { summary: this.options.summary, root: this.vitest?.config.root ?? process.cwd(),
      stream: (this.vitest?.logger.outputStream ?? process.stdout) as { isTTY?: boolean }, log: (t) => this.log(t) })
  }

  private log(text: string): void {
    if (this.vitest) this.vitest.logger.log(text)
    else process.stdout.write(text + '\n')
  }
}
