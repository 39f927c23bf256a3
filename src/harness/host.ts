/**
 * What a test runner gives a block's run: the small interface each adapter (src/plugin/vitest,
 * src/plugin/jest, the CLI) implements, so the block's life (src/harness/block.ts) is written once.
 */
import type { RunnerStub } from '../pool/bundle.ts'
import type { BlockDigest } from '../report/summary.ts'
import type { ProgressFigures } from './progress.ts'
import type { RunningTest } from './test-time.ts'

export interface BlockHost {
  /** The test file the block is defined in (pool workers load it), or undefined outside one. */
  readonly testFile: string | undefined
  /**
   * Aborts when the run must stop: the runner's own signal (Vitest: timeout, Ctrl+C, bail), or the
   * adapter's deadline where the runner gives none (Jest).
   */
  readonly signal: AbortSignal | undefined
  /** What stands in for the runner when a worker loads the test file. */
  readonly stub: RunnerStub
  /** Hands a run's digest to the reporter (the summary, Markdown and HTML reports read it). */
  report(digest: BlockDigest): void
  /** Sends live figures to the reporter, or undefined when it shows no progress. */
  readonly progress: ((figures: ProgressFigures) => void) | undefined
  /** Called once the run is over, whatever happened (an adapter clears its own deadline here). */
  readonly done?: (() => void) | undefined
  /**
   * The running test's timeout and start, where the runner tells them (Vitest): a scenario run that
   * cannot fit is refused before any load, one with only a cap is stopped before the timeout.
   */
  readonly test?: RunningTest | undefined
}
