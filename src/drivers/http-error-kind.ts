/** Maps a failed HTTP exchange to an ErrorKind: by status when there is one, else by error code. */
import type { ErrorKind } from '../metrics/sink.ts'

const BY_CODE: Record<string, ErrorKind> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset', EPIPE: 'reset', ECONNABORTED: 'reset', UND_ERR_SOCKET: 'reset', UND_ERR_CLOSED: 'reset',
  UND_ERR_HEADERS_TIMEOUT: 'timeout', UND_ERR_BODY_TIMEOUT: 'timeout', UND_ERR_CONNECT_TIMEOUT: 'timeout', ETIMEDOUT: 'timeout',
  ENOTFOUND: 'dns', EAI_AGAIN: 'dns',
  UND_ERR_ABORTED: 'aborted', ABORT_ERR: 'aborted',
  HPE_INVALID_CONSTANT: 'protocol', HPE_INVALID_HEADER_TOKEN: 'protocol', HPE_INVALID_CHUNK_SIZE: 'protocol',
  HPE_INVALID_CONTENT_LENGTH: 'protocol', UND_ERR_HEADERS_OVERFLOW: 'protocol', UND_ERR_INFO: 'protocol', UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'protocol',
}

export function kindOfStatus(status: number): ErrorKind {
  return status === 429 ? 'rate_limited' : status >= 500 ? '5xx' : status >= 400 ? '4xx' : 'other'
}

export function kindOfError(err: unknown): ErrorKind {
  let e: unknown = err
  // undici wraps socket errors (SocketError → cause ECONNRESET); the innermost code is the truest.
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const o = e as { code?: unknown; name?: unknown; cause?: unknown }
    if (o.name === 'AbortError') return 'aborted'
    const inner = o.cause && typeof o.cause === 'object' ? kindOfCode((o.cause as { code?: unknown }).code) : undefined
    if (inner) return inner
    const own = kindOfCode(o.code)
    if (own) return own
    e = o.cause
  }
  return 'other'
}

function kindOfCode(code: unknown): ErrorKind | undefined {
  if (typeof code !== 'string') return undefined
  // Every llhttp parse error (HPE_*) is the server breaking the protocol.
  return BY_CODE[code] ?? (code.startsWith('HPE_') ? 'protocol' : undefined)
}

/** An error with undici's (or llhttp's) `code`, which kindOfError reads. */
export function httpError(code: string, message: string): Error {
  const err = new Error(message) as Error & { code: string }
  err.code = code
  return err
}

/** What an exchange still waited for when its request timeout passed. */
export type TimeoutStage = 'connect' | 'headers' | 'body'

const TIMEOUT_BY_STAGE: Record<TimeoutStage, { code: string; message: string; what: string }> = {
  connect: { code: 'UND_ERR_CONNECT_TIMEOUT', message: 'Connect Timeout Error', what: 'no connection' },
  headers: { code: 'UND_ERR_HEADERS_TIMEOUT', message: 'Headers Timeout Error', what: 'no response head' },
  body: { code: 'UND_ERR_BODY_TIMEOUT', message: 'Body Timeout Error', what: 'response body not complete' },
}

/**
 * The error of an exchange that outlived its request timeout, with undici's code for the stage it
 * was in, so both clients' timeouts are classified (`timeout`) and reported alike.
 */
export function timeoutError(stage: TimeoutStage, timeoutMs: number): Error {
  const t = TIMEOUT_BY_STAGE[stage]
  return httpError(t.code, `${t.message} (${t.what} within the request timeout of ${timeoutMs} ms)`)
}
