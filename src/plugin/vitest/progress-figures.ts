/** What a live progress update carries and how it is printed: runner-neutral, in src/harness/progress.ts. */
export { EVERY_MS, PROGRESS_ARTIFACT, PROGRESS_ENV, progressLine, type ProgressFigures } from '../../harness/progress.ts'
