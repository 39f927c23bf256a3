/**
 * The test → reporter channel: each perf block or scenario run appends its digest to the test's
 * `task.meta.loadspec` (JSON-safe), which the reporter reads in onTestCaseResult.
 */
import type { BlockDigest } from '../../report/summary.ts'

export const META_KEY = 'loadspec'

declare module 'vitest' {
  interface TaskMeta {
    /** Digests of the perf runs of this test (loadspec). */
    loadspec?: BlockDigest[]
  }
}

interface MetaHolder { meta: Record<string, unknown> }

export function appendDigest(task: MetaHolder | undefined, d: BlockDigest): void {
  if (!task) return
  const list = (task.meta[META_KEY] as BlockDigest[] | undefined) ?? []
  list.push(d)
  task.meta[META_KEY] = list
}
