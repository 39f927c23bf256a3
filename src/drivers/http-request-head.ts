/**
 * The head of a request our own HTTP/1.1 connection writes (h1-connection.ts), as bytes kept
 * while the VU repeats the same request.
 */
import type { H1Request } from './h1-connection.ts'
import { httpError } from './http-error-kind.ts'

/** Header names and values must not carry CR or LF (they would split the request). */
const UNSAFE = /[\r\n]/

export class RequestHeadCache {
  private last: { method: string; path: string; bodyLength: number; headers: string[] | null; bytes: Buffer } | null = null

  /** `authority`: the `host` header value when the request has none. */
  constructor(private readonly authority: string) {}

  /**
   * The request head as bytes, reused while a VU repeats the same request (same method, path, body
   * length and header names and values: a headers object changed in place is seen as changed).
   * Writing a string made Node flatten and encode it on every write; writing the same Buffer
   * costs only the write (docs/performance.md).
   */
  bytes(req: H1Request): Buffer {
    const body = req.body
    const bodyLength = body === undefined ? -1 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
    const last = this.last
    if (last && last.method === req.method && last.path === req.path && last.bodyLength === bodyLength && sameHeaders(last.headers, req.headers)) return last.bytes
    const bytes = Buffer.from(this.text(req, bodyLength), 'latin1')
    this.last = { method: req.method, path: req.path, bodyLength, headers: req.headers ? Object.entries(req.headers).flat() : null, bytes }
    return bytes
  }

  private text(req: H1Request, bodyLength: number): string {
    let head = `${req.method} ${req.path} HTTP/1.1\r\n`
    let host = false
    if (req.headers) {
      for (const name in req.headers) {
        const value = req.headers[name] as string
        if (UNSAFE.test(name) || UNSAFE.test(value)) throw httpError('UND_ERR_INVALID_ARG', `invalid ${name} header`)
        if (!host && name.length === 4 && name.toLowerCase() === 'host') host = true
        head += `${name}: ${value}\r\n`
      }
    }
    if (!host) head += `host: ${this.authority}\r\n`
    if (bodyLength >= 0) head += `content-length: ${bodyLength}\r\n`
    else if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') head += 'content-length: 0\r\n'
    return head + 'connection: keep-alive\r\n\r\n'
  }
}

/** Whether `headers` has exactly the names and values, in order, of `flat` ([name, value, …]). */
function sameHeaders(flat: string[] | null, headers: Readonly<Record<string, string>> | undefined): boolean {
  if (!headers) return flat === null
  if (!flat) return false
  let i = 0
  for (const name in headers) {
    if (flat[i] !== name || flat[i + 1] !== headers[name]) return false
    i += 2
  }
  return i === flat.length
}
