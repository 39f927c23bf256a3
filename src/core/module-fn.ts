/**
 * A VU function given as a module (`fn: './scenarios/send.ts'` or a file URL): its default export
 * is the function. Known here, on the caller's side, so validating a block needs no worker pool.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DefinitionError } from '../errors.ts'
import type { VuFunction } from './options.ts'

/** The absolute path when `fn` names a module, else null. */
export function modulePathOf(fn: unknown): string | null {
  if (fn instanceof URL) return fileURLToPath(fn)
  if (typeof fn === 'string') return fn.startsWith('file:') ? fileURLToPath(fn) : resolve(process.cwd(), fn)
  return null
}

/** Stands in for the module's function while options are validated on the caller's thread. */
export const modulePlaceholder: VuFunction<unknown> = () => {
  throw new DefinitionError('loadspec: the scenario module was not loaded')
}
