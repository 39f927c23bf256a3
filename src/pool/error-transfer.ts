/**
 * Errors across threads. Structured clone keeps an error's message and stack but not its class,
 * nor own properties such as `code` or `option`, and names it `Error` unless it is a built-in
 * class. A worker sends errors as `SerializedError`; the test's thread revives them as the same
 * loadspec class (so `instanceof InvalidOptionError` and `isLoadspecError` hold), with the cause
 * chain. Any other error keeps its name, message, stack and JSON-safe own properties.
 */
import {
  HttpRequestError, InvalidOptionError, InvalidThresholdError, isLoadspecError, LoadspecError, SetupError,
  ThresholdsFailedError, toError, WorkerFailedError,
} from '../errors.ts'
import { jsonSafeProblem } from '../core/json-safe.ts'
import type { SerializedError } from './messages.ts'

/** The classes an error is revived as, by name. */
const LOADSPEC_CLASSES: Readonly<Record<string, { prototype: Error }>> = {
  LoadspecError, InvalidOptionError, InvalidThresholdError, ThresholdsFailedError, SetupError, WorkerFailedError, HttpRequestError,
}
const BUILT_IN: Readonly<Record<string, { prototype: Error }>> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError }
/** Same key as the brand in errors.ts: a revived error must pass `isLoadspecError` too. */
const kLoadspecError = Symbol.for('loadspec.error')
/** Longer cause chains are cut: a chain is for reading, and a cycle must end. */
const MAX_CAUSE_DEPTH = 8
const OWN = new Set(['name', 'message', 'stack', 'cause'])

/** Any thrown value → its serialisable form (a non-Error becomes an Error first). */
export function serializeError(value: unknown, depth = 0): SerializedError {
  const e = isErrorLike(value) ? value : toError(value)
  const props: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(e)) {
    // Only what survives a copy: a result object or a socket is the sending thread's own.
    if (!OWN.has(k) && v !== undefined && jsonSafeProblem(v) === null) props[k] = v
  }
  const out: { -readonly [K in keyof SerializedError]: SerializedError[K] } = { name: String(e.name), message: String(e.message), props }
  if (typeof e.stack === 'string') out.stack = e.stack
  if (isLoadspecError(e)) out.loadspec = true
  if ('cause' in e && e.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    out.cause = isErrorLike(e.cause) ? { error: serializeError(e.cause, depth + 1) }
      : { value: jsonSafeProblem(e.cause) === null ? e.cause : String(e.cause) }
  }
  return out
}

/** The error `serializeError` described, as an instance of its class where loadspec knows it. */
export function reviveError(s: SerializedError): Error {
  const code = s.props['code']
  // A loadspec error by brand, or by name and code when it came through a copy that drops the brand.
  const known = LOADSPEC_CLASSES[s.name]
  const loadspec = known !== undefined && (s.loadspec === true || (typeof code === 'string' && code.startsWith('LOADSPEC_ERR_')))
  const proto = loadspec ? known.prototype : (BUILT_IN[s.name]?.prototype ?? Error.prototype)
  const e = Object.create(proto) as Error & Record<PropertyKey, unknown>
  hidden(e, 'message', s.message)
  hidden(e, 'stack', s.stack ?? `${s.name}: ${s.message}`)
  if (loadspec) e[kLoadspecError] = true
  // loadspec's constructors set `name` on the instance; other classes usually on the prototype.
  if (loadspec) e.name = s.name
  else if (proto.name !== s.name) hidden(e, 'name', s.name)
  Object.assign(e, s.props)
  if (s.cause) hidden(e, 'cause', 'error' in s.cause ? reviveError(s.cause.error) : s.cause.value)
  return e
}

/** An Error, or a value from another thread that lost its class on the way. */
function isErrorLike(v: unknown): v is Error {
  if (v instanceof Error) return true
  return typeof v === 'object' && v !== null && typeof (v as Error).message === 'string' && typeof (v as Error).stack === 'string'
}

/** As `new Error()` defines message, stack and cause: not enumerable. */
function hidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false })
}
