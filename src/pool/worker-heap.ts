/**
 * The heap limit of load workers. Node gives a worker thread the same heap limit as the main
 * thread unless told otherwise; `LOADSPEC_WORKER_HEAP_MB` sets each worker's old-generation limit
 * (worker_threads resourceLimits.maxOldGenerationSizeMb), to give a heavy load more room than
 * Node's default or to find out early that a load does not fit (tests use a small one).
 */
import type { ResourceLimits } from 'node:worker_threads'
import { InvalidOptionError } from '../errors.ts'

export const WORKER_HEAP_ENV = 'LOADSPEC_WORKER_HEAP_MB'
/** Below this a worker cannot load its bundle and drivers. */
const MIN_HEAP_MB = 16

/** The workers' resource limits from the environment, or undefined for Node's defaults. */
export function workerResourceLimits(env: Readonly<Record<string, string | undefined>> = process.env): ResourceLimits | undefined {
  const raw = env[WORKER_HEAP_ENV]
  if (raw === undefined || raw.trim() === '') return undefined
  const mb = Number(raw)
  if (!Number.isInteger(mb) || mb < MIN_HEAP_MB) {
    throw new InvalidOptionError(WORKER_HEAP_ENV, `${WORKER_HEAP_ENV} must be a whole number of megabytes, at least ${MIN_HEAP_MB} (the heap limit of each load worker); got "${raw}". Unset it to use Node's default.`)
  }
  return { maxOldGenerationSizeMb: mb }
}
