/**
 * Baselines, kept beside the suite like snapshots: `__baselines__/<test file>.json` holds the
 * figures of each perf run by name. Written on the first run, rewritten with `vitest -u`, never
 * written in CI; a corrupt or hand-broken file is a clear error and is never silently overwritten.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { BaselineError } from '../errors.ts'
import { figuresProblem, type Figures } from './figures.ts'

export interface BaselineFile {
  readonly version: 1
  readonly blocks: Readonly<Record<string, Figures>>
}

export { BaselineError }

export function baselinePath(testPath: string): string {
  return join(dirname(testPath), '__baselines__', `${basename(testPath)}.json`)
}

/** The file's blocks, or null when there is no file. Throws BaselineError when it is unreadable. */
export function readBaselines(path: string): BaselineFile | null {
  if (!existsSync(path)) return null
  const fix = `Fix it, or delete it and run the suite with -u to write it again`
  let data: unknown
  try {
    data = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new BaselineError(`Baseline file ${path} is not valid JSON (${(err as Error).message}). ${fix}.`)
  }
  const file = data as Partial<BaselineFile>
  if (!file || file.version !== 1 || typeof file.blocks !== 'object' || file.blocks === null) {
    throw new BaselineError(`Baseline file ${path} is not a loadspec baseline (expected { "version": 1, "blocks": { … } }). ${fix}.`)
  }
  for (const [name, figures] of Object.entries(file.blocks)) {
    const problem = figuresProblem(figures)
    if (problem) throw new BaselineError(`Baseline "${name}" in ${path} is malformed: ${problem}. ${fix}.`)
  }
  return file as BaselineFile
}

export function writeBaseline(path: string, existing: BaselineFile | null, name: string, figures: Figures): void {
  const blocks = { ...(existing?.blocks ?? {}), [name]: figures }
  const sorted = Object.fromEntries(Object.keys(blocks).sort().map((k) => [k, blocks[k]]))
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, JSON.stringify({ version: 1, blocks: sorted }, null, 2) + '\n')
}
