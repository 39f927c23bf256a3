/**
 * Options that live on the caller's thread: functions and values that run or are read where the
 * block is run, never in a load worker (workers rebuild the rest from the test file or module).
 * One list, so a new caller-side option (services, faults) is added in one place.
 */
import type { PerfOptions, ServiceAddresses } from './options.ts'

/** Keys of the options that stay on the caller's thread. */
export const CALLER_THREAD_OPTIONS = ['setup', 'teardown', 'signal', 'data', 'onProgress', 'services', 'faults'] as const

export type CallerThreadOption = (typeof CALLER_THREAD_OPTIONS)[number]

/** The options without the caller-thread ones: what may travel to workers (as JSON). */
export function withoutCallerOptions(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...options }
  for (const key of CALLER_THREAD_OPTIONS) delete rest[key]
  return rest
}

/** The caller-thread options of a block, typed for execute(). */
export interface CallerOptions {
  /** Gets where each service of the block is reached. */
  readonly setup: ((services: ServiceAddresses) => unknown) | undefined
  readonly teardown: ((data: unknown, services: ServiceAddresses) => unknown) | undefined
  readonly data: unknown
  readonly signal: AbortSignal | undefined
  readonly onProgress: PerfOptions<unknown>['onProgress']
  readonly services: PerfOptions<unknown>['services']
}

export function callerOptions(options: PerfOptions<unknown>): CallerOptions {
  return { setup: options.setup, teardown: options.teardown as CallerOptions['teardown'], data: options.data, signal: options.signal,
    onProgress: options.onProgress, services: options.services }
}
