/**
 * loadspec's errors. Misuse (bad options, bad threshold strings, a VU API called wrongly) throws
 * one of these at once; faults of the system under test are never thrown mid-run, they are
 * counted in the result.
 *
 * Every error has a literal `name`, a stable `code` (`LOADSPEC_ERR_*`), a default message and
 * `cause`. The classes are made by one factory from the table below, so a code, its class name
 * and its default message cannot drift apart. Errors are branded with a `Symbol.for` key, and
 * `instanceof` reads the brand and the code, so it holds across copies of the package (a worker
 * thread may load its own copy) and for errors revived after crossing a thread, as undici does.
 */
const kLoadspecError = Symbol.for('loadspec.error')

/** Each code with the name of its class and the message used when none is given. */
export const ERROR_CODES = {
  LOADSPEC_ERR_INVALID_OPTION: { name: 'InvalidOptionError', message: 'Invalid option' },
  LOADSPEC_ERR_INVALID_THRESHOLD: { name: 'InvalidThresholdError', message: 'Invalid threshold' },
  LOADSPEC_ERR_THRESHOLDS_FAILED: { name: 'ThresholdsFailedError', message: 'Thresholds breached' },
  LOADSPEC_ERR_SETUP: { name: 'SetupError', message: 'setup() or teardown() failed' },
  LOADSPEC_ERR_WORKER_FAILED: { name: 'WorkerFailedError', message: 'A load worker failed' },
  LOADSPEC_ERR_ABORTED: { name: 'AbortedError', message: 'The run was aborted' },
  LOADSPEC_ERR_HTTP: { name: 'HttpRequestError', message: 'HTTP request failed' },
  LOADSPEC_ERR_BASELINE: { name: 'BaselineError', message: 'Baseline file is unusable' },
  LOADSPEC_ERR_USAGE: { name: 'UsageError', message: 'A loadspec API was called with arguments it does not take' },
  LOADSPEC_ERR_CLOSED: { name: 'ClosedError', message: 'Used after close (the run has ended)' },
  LOADSPEC_ERR_METRIC_TYPE: { name: 'MetricTypeError', message: 'A metric is used as two different types' },
  LOADSPEC_ERR_INVALID_RESULT: { name: 'InvalidResultError', message: 'Not a loadspec result' },
  LOADSPEC_ERR_DEFINITION: { name: 'DefinitionError', message: 'A perf block or scenario cannot be found or is defined twice' },
  LOADSPEC_ERR_MATCHER: { name: 'MatcherUsageError', message: 'A matcher received something it cannot judge' },
  LOADSPEC_ERR_CLI: { name: 'CliError', message: 'Invalid command line' },
  LOADSPEC_ERR_SERVICE: { name: 'ServiceError', message: 'A service did not start, did not become ready or could not be controlled' },
  LOADSPEC_ERR_FAULT_PROXY: { name: 'FaultProxyError', message: 'The fault proxy could not listen' },
} as const satisfies Record<string, { name: string; message: string }>

export type LoadspecErrorCode = keyof typeof ERROR_CODES

/** Options every loadspec error takes. */
export interface LoadspecErrorOptions {
  cause?: unknown
}

/** Root of every error loadspec throws on purpose. */
export class LoadspecError extends Error {
  readonly code: LoadspecErrorCode
  readonly [kLoadspecError] = true
  constructor(code: LoadspecErrorCode, message?: string, options?: LoadspecErrorOptions) {
    super(message || ERROR_CODES[code].message, options)
    this.name = ERROR_CODES[code].name
    this.code = code
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isLoadspecError(value)
  }
}

/** The shape of a class the factory makes: `new X(message?, options?)`, `X.code`. */
export interface LoadspecErrorClass<C extends LoadspecErrorCode> {
  new (message?: string, options?: LoadspecErrorOptions): LoadspecError & { readonly code: C }
  readonly code: C
}

/**
 * Makes the class for one code. `instanceof` holds for any branded error with that code, so an
 * error from another copy of the package, or revived from a worker, is still recognised.
 */
function defineError<C extends LoadspecErrorCode>(code: C): LoadspecErrorClass<C> {
  const made = class extends LoadspecError {
    static readonly code = code
    constructor(message?: string, options?: LoadspecErrorOptions) {
      super(code, message, options)
    }

    static override [Symbol.hasInstance](value: unknown): boolean {
      return isLoadspecError(value) && value.code === code
    }
  }
  Object.defineProperty(made, 'name', { value: ERROR_CODES[code].name })
  return made as unknown as LoadspecErrorClass<C>
}

/** A perf block's thresholds were breached (the block fails with this). */
export const ThresholdsFailedError = defineError('LOADSPEC_ERR_THRESHOLDS_FAILED')
export type ThresholdsFailedError = InstanceType<typeof ThresholdsFailedError>
/** A threshold expression could not be parsed or names a method its metric type lacks. */
export const InvalidThresholdError = defineError('LOADSPEC_ERR_INVALID_THRESHOLD')
export type InvalidThresholdError = InstanceType<typeof InvalidThresholdError>
/** `setup()` or `teardown()` threw, or returned a value that is not JSON-safe. */
export const SetupError = defineError('LOADSPEC_ERR_SETUP')
export type SetupError = InstanceType<typeof SetupError>
/** The test's abort signal fired (timeout, bail, Ctrl+C) while a perf block ran. */
export const AbortedError = defineError('LOADSPEC_ERR_ABORTED')
export type AbortedError = InstanceType<typeof AbortedError>
/** A baseline file is not valid JSON or not a loadspec baseline. */
export const BaselineError = defineError('LOADSPEC_ERR_BASELINE')
export type BaselineError = InstanceType<typeof BaselineError>
/** A VU API (sleep, pick, http, ws, grpc) was called with arguments it does not take. */
export const UsageError = defineError('LOADSPEC_ERR_USAGE')
export type UsageError = InstanceType<typeof UsageError>
/** A driver or client was used after it was closed. */
export const ClosedError = defineError('LOADSPEC_ERR_CLOSED')
export type ClosedError = InstanceType<typeof ClosedError>
/** One metric name was used as two types (a trend here, a counter there). */
export const MetricTypeError = defineError('LOADSPEC_ERR_METRIC_TYPE')
export type MetricTypeError = InstanceType<typeof MetricTypeError>
/** A file or value is not a loadspec result or encoded histogram, or results cannot be merged. */
export const InvalidResultError = defineError('LOADSPEC_ERR_INVALID_RESULT')
export type InvalidResultError = InstanceType<typeof InvalidResultError>
/** A perf block or scenario cannot be found by name where a worker looks for it, or is defined twice. */
export const DefinitionError = defineError('LOADSPEC_ERR_DEFINITION')
export type DefinitionError = InstanceType<typeof DefinitionError>
/** A matcher was given a receiver or argument it cannot judge. */
export const MatcherUsageError = defineError('LOADSPEC_ERR_MATCHER')
export type MatcherUsageError = InstanceType<typeof MatcherUsageError>
/** A command-line flag or argument is wrong. */
export const CliError = defineError('LOADSPEC_ERR_CLI')
export type CliError = InstanceType<typeof CliError>
/** The fault proxy could not listen (at start, or on its port again after being down). */
export const FaultProxyError = defineError('LOADSPEC_ERR_FAULT_PROXY')
export type FaultProxyError = InstanceType<typeof FaultProxyError>

const InvalidOptionBase = defineError('LOADSPEC_ERR_INVALID_OPTION')
/** An option failed validation. The message names the option path and what to change. */
export class InvalidOptionError extends InvalidOptionBase {
  /** Dotted path of the offending option, e.g. `stages[1].duration`. */
  readonly option: string
  constructor(option: string, message?: string, options?: LoadspecErrorOptions) {
    super(message, options)
    this.option = option
  }
}

const WorkerFailedBase = defineError('LOADSPEC_ERR_WORKER_FAILED')
/** A pool worker threw, exited or ran out of memory; `result` holds what the other workers measured. */
export class WorkerFailedError extends WorkerFailedBase {
  readonly result: unknown
  constructor(message?: string, result?: unknown, options?: LoadspecErrorOptions) {
    super(message, options)
    this.result = result
  }
}

const HttpRequestBase = defineError('LOADSPEC_ERR_HTTP')
/** An HTTP request failed and the caller asked for failures to be thrown (`throw: true`). */
export class HttpRequestError extends HttpRequestBase {
  /** The error kind as counted in the result (`timeout`, `refused`, `status_5xx`, …). */
  readonly kind: string
  readonly status: number | undefined
  constructor(kind: string, status: number | undefined, message?: string, options?: LoadspecErrorOptions) {
    super(message, options)
    this.kind = kind
    this.status = status
  }
}

const ServiceBase = defineError('LOADSPEC_ERR_SERVICE')
/**
 * A service (container or child process) failed to start, never became ready, or an action on it
 * failed; `logs` holds its last output lines, which the message ends with.
 */
export class ServiceError extends ServiceBase {
  /** The service's name in `startServices()`, or `''` when the failure concerns no one service. */
  readonly service: string
  readonly logs: readonly string[]
  constructor(service: string, message?: string, logs: readonly string[] = [], options?: LoadspecErrorOptions) {
    super(message, options)
    this.service = service
    this.logs = logs
  }
}

/** The class made for each code, for callers (and revivers) that hold only a code. */
const CLASS_BY_CODE: { [C in LoadspecErrorCode]: new (message?: string, options?: LoadspecErrorOptions) => LoadspecError } = {
  LOADSPEC_ERR_INVALID_OPTION: class extends InvalidOptionError {
    constructor(message?: string, options?: LoadspecErrorOptions) {
      super('options', message, options)
    }
  },
  LOADSPEC_ERR_INVALID_THRESHOLD: InvalidThresholdError,
  LOADSPEC_ERR_THRESHOLDS_FAILED: ThresholdsFailedError,
  LOADSPEC_ERR_SETUP: SetupError,
  LOADSPEC_ERR_WORKER_FAILED: class extends WorkerFailedError {
    constructor(message?: string, options?: LoadspecErrorOptions) {
      super(message, undefined, options)
    }
  },
  LOADSPEC_ERR_ABORTED: AbortedError,
  LOADSPEC_ERR_HTTP: class extends HttpRequestError {
    constructor(message?: string, options?: LoadspecErrorOptions) {
      super('unknown', undefined, message, options)
    }
  },
  LOADSPEC_ERR_BASELINE: BaselineError,
  LOADSPEC_ERR_USAGE: UsageError,
  LOADSPEC_ERR_CLOSED: ClosedError,
  LOADSPEC_ERR_METRIC_TYPE: MetricTypeError,
  LOADSPEC_ERR_INVALID_RESULT: InvalidResultError,
  LOADSPEC_ERR_DEFINITION: DefinitionError,
  LOADSPEC_ERR_MATCHER: MatcherUsageError,
  LOADSPEC_ERR_CLI: CliError,
  LOADSPEC_ERR_SERVICE: class extends ServiceError {
    constructor(message?: string, options?: LoadspecErrorOptions) {
      super('', message, [], options)
    }
  },
  LOADSPEC_ERR_FAULT_PROXY: FaultProxyError,
}

/**
 * Makes the loadspec error for a code: `loadspecError('LOADSPEC_ERR_USAGE', 'pick(): …')`.
 * Codes whose class carries fields (`InvalidOptionError.option`, `HttpRequestError.kind`) get
 * neutral values; construct those classes directly when the fields are known.
 */
export function loadspecError(code: LoadspecErrorCode, message?: string, options?: LoadspecErrorOptions): LoadspecError {
  return new CLASS_BY_CODE[code](message, options)
}

/** True for a code loadspec defines (e.g. for an error that crossed a thread as plain data). */
export function isLoadspecErrorCode(value: unknown): value is LoadspecErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value)
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
