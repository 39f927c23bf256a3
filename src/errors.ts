/**
 * loadspec's errors. Misuse (bad options, bad threshold strings) throws one of these at once;
 * faults of the system under test are never thrown mid-run, they are counted in the result.
 *
 * Errors are branded with a `Symbol.for` key so `isLoadspecError` holds across copies of the
 * package (a worker thread may load its own copy), as undici does.
 */
const kLoadspecError = Symbol.for('loadspec.error')

export type LoadspecErrorCode =
  | 'LOADSPEC_ERR_INVALID_OPTION'
  | 'LOADSPEC_ERR_INVALID_THRESHOLD'
  | 'LOADSPEC_ERR_THRESHOLDS_FAILED'
  | 'LOADSPEC_ERR_SETUP'
  | 'LOADSPEC_ERR_WORKER_FAILED'
  | 'LOADSPEC_ERR_ABORTED'
  | 'LOADSPEC_ERR_HTTP'
  | 'LOADSPEC_ERR_BASELINE'

/** Root of every error loadspec throws on purpose. */
export class LoadspecError extends Error {
  readonly code: LoadspecErrorCode
  readonly [kLoadspecError] = true
  constructor(code: LoadspecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LoadspecError'
    this.code = code
  }
}

/** An option failed validation. The message names the option path and what to change. */
export class InvalidOptionError extends LoadspecError {
  /** Dotted path of the offending option, e.g. `stages[1].duration`. */
  readonly option: string
  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super('LOADSPEC_ERR_INVALID_OPTION', message, options)
    this.name = 'InvalidOptionError'
    this.option = option
  }
}

/** A threshold expression could not be parsed or names a method its metric type lacks. */
export class InvalidThresholdError extends LoadspecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOADSPEC_ERR_INVALID_THRESHOLD', message, options)
    this.name = 'InvalidThresholdError'
  }
}

/** A perf block's thresholds were breached (the block fails with this). */
export class ThresholdsFailedError extends LoadspecError {
  constructor(message: string) {
    super('LOADSPEC_ERR_THRESHOLDS_FAILED', message)
    this.name = 'ThresholdsFailedError'
  }
}

/** `setup()` or `teardown()` threw, or returned a value that is not JSON-safe. */
export class SetupError extends LoadspecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOADSPEC_ERR_SETUP', message, options)
    this.name = 'SetupError'
  }
}

/** A pool worker threw, exited or ran out of memory; `result` holds what the other workers measured. */
export class WorkerFailedError extends LoadspecError {
  readonly result: unknown
  constructor(message: string, result: unknown, options?: { cause?: unknown }) {
    super('LOADSPEC_ERR_WORKER_FAILED', message, options)
    this.name = 'WorkerFailedError'
    this.result = result
  }
}

/** An HTTP request failed and the caller asked for failures to be thrown (`throw: true`). */
export class HttpRequestError extends LoadspecError {
  readonly kind: string
  readonly status: number | undefined
  constructor(kind: string, status: number | undefined, message: string, options?: { cause?: unknown }) {
    super('LOADSPEC_ERR_HTTP', message, options)
    this.name = 'HttpRequestError'
    this.kind = kind
    this.status = status
  }
}

/** True for any loadspec error, even one made by another copy of the package. */
export function isLoadspecError(value: unknown): value is LoadspecError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kLoadspecError] === true
}

/** Turns any thrown value into an Error, so it can be reported and serialised. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value
  return new Error(typeof value === 'string' ? value : `Non-error thrown: ${safeString(value)}`)
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
