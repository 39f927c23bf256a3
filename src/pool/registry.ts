/**
 * How a worker thread finds the inline functions of a test file: before the file is evaluated in
 * the worker, a global registry is installed; `perf()` and `scenario()` then record their options
 * and function under their name instead of registering tests (as Playwright's workers load the
 * test file and select a test by title). A global symbol, so every copy of loadspec sees it.
 */
import type { PerfOptions, VuFunction } from '../core/options.ts'
import { DefinitionError } from '../errors.ts'

export interface Definition {
  readonly kind: 'perf' | 'scenario'
  readonly name: string
  readonly options: PerfOptions<unknown>
  readonly fn: VuFunction<unknown> | undefined
}

const kRegistry = Symbol.for('loadspec.worker.definitions')
type Registry = Map<string, Definition | Error>

/** Called by the worker bundle before the test file is evaluated. */
export function installRegistry(): void {
  ;(globalThis as Record<symbol, unknown>)[kRegistry] = new Map()
}

/** The registry when this thread is a loadspec worker, else undefined. */
export function workerRegistry(): Registry | undefined {
  return (globalThis as Record<symbol, unknown>)[kRegistry] as Registry | undefined
}

/** Records a definition; a duplicate name becomes an error reported if that name is run. */
export function record(def: Definition): void {
  const reg = workerRegistry()
  if (!reg) return
  reg.set(def.name, reg.has(def.name)
    ? new DefinitionError(`Two perf blocks or scenarios in one file are named "${def.name}"; give each a unique name so workers can find it`)
    : def)
}

export function lookup(name: string, file: string): Definition {
  const def = workerRegistry()?.get(name)
  if (!def) throw new DefinitionError(`No perf block or scenario named "${name}" was defined at the top level of ${file}. Define perf()/scenario() at module top level (or inside describe()), not inside a test or hook, so workers can load it.`)
  if (def instanceof Error) throw def
  return def
}
