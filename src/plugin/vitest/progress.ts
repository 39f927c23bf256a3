/**
 * Live progress, Vitest side: when the plugin asks for it (a TTY, not CI), each perf run sends its
 * figures (src/harness/progress.ts) to the reporter about once a second as a Vitest test artifact,
 * the channel that reaches the reporter while the test still runs (`onTestCaseArtifactRecord`,
 * Vitest ≥ 4.0.11).
 */
import * as vitest from 'vitest'
import { PROGRESS_ENV, type ProgressFigures } from '../../harness/progress.ts'

declare module 'vitest' {
  interface TestArtifactRegistry { 'loadspec:progress': ProgressFigures }
}

type RecordArtifact = (task: never, artifact: ProgressFigures) => Promise<unknown>

/** Sends figures as artifacts of `task`, or undefined when no progress is wanted or possible. */
export function progressSink(task: unknown): ((f: ProgressFigures) => void) | undefined {
  const record = (vitest as unknown as { recordArtifact?: RecordArtifact }).recordArtifact
  if (!process.env[PROGRESS_ENV] || !task || typeof record !== 'function') return undefined
  return (figures) => {
    record(task as never, figures).catch(() => { /* progress is best effort: a finished test refuses artifacts */ })
  }
}
