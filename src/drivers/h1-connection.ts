/**
 * A VU's own HTTP/1.1 keep-alive connection, written on a net.Socket as autocannon does, for the
 * common case: plain http, one request at a time, a body that is absent, a string or bytes. It
 * costs less per request than undici's Client (no Request object, no header validation pass, no
 * WebAssembly parser calls per header), which is most of what a generator spends besides the
 * kernel (docs/performance.md). Anything else (https, streamed bodies, a second concurrent request
 * of the same VU) still goes through undici.
 *
 * It speaks to the same handler as undici's `dispatch` (http-exchange.ts), so timings and metrics
 * do not depend on which client carried the request, and fails with undici's error codes, so
 * errors are classified the same way (http-error-kind.ts).
 */
import { connect, type Socket } from 'node:net'
import { timeoutError, type TimeoutStage } from './http-error-kind.ts'

/** What the connection calls, in this order: undici's legacy dispatch handler. */
export interface H1Handler {
  /** `at`: performance.now() when the request had its connection (its start, on a free open one). */
  onConnect(abort: (err: Error) => void, at: number): void
  onRequestSent(): void
  /**
   * `rawHeaders`: the header block as received ("Name: value" lines), parsed only if asked for;
   * `at`: performance.now() when the bytes holding the head were read.
   */
  onHeaders(status: number, rawHeaders: string, resume: () => void, statusText: string, at: number): boolean
  /** `lent`: the chunk views a shared read buffer and is valid for the call only; copy what you keep. */
  onData(chunk: Buffer, lent: true): boolean
  /** `at`: performance.now() at completion, which the connection took anyway. */
  onComplete(trailers: null, at: number): void
  onError(err: Error): void
}

export interface H1Request {
  method: string
  path: string
  headers?: Readonly<Record<string, string>> | undefined
  body?: string | Uint8Array | undefined
  /**
   * ms the whole exchange may take from `startedAt`: connect, sending, the response head and the
   * whole body (k6's request timeout). A body that keeps trickling is still cut off at the deadline.
   */
  timeoutMs: number
  /** performance.now() when the VU made the request (read once for the exchange, not again here). */
  startedAt: number
}

/**
 * What the connection needs from its driver: where to connect and socket accounting. The driver
 * also calls `checkTimeout()` of every connection from one timer every 50 ms, so a
 * request's timeout costs a field write, not a timer.
 */
export interface H1Host {
  readonly host: string
  readonly port: number
  /** `host` header value. */
  readonly authority: string
  readonly connectTimeoutMs: number
  /** Called with every new socket once connected (ms the connect took). */
  connected(socket: Socket, ms: number): void
}

/** An idle connection older than this is replaced rather than reused (servers often close at 5 s). */
const KEEP_ALIVE_MS = 4_000
const HEAD_END = Buffer.from('\r\n\r\n')
/** Where every own connection's socket reads land (see dispatch). */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024)
/** A read's first bytes searched for the end of the head as text (most responses fit whole). */
const HEAD_PROBE_BYTES = 1024
/** A response head larger than this is a protocol error (undici's default maxHeaderSize). */
const MAX_HEAD_BYTES = 16 * 1024

const enum Body { None, Length, Chunked, UntilClose }
const enum Chunk { Size, Data, DataEnd, Trailers }

function httpError(code: string, message: string): Error {
  const err = new Error(message) as Error & { code: string }
  err.code = code
  return err
}

/** Header names and values must not carry CR or LF (they would split the request). */
const UNSAFE = /[\r\n]/

export class H1Connection {
  private socket: Socket | null = null
  private idleSince = 0
  private x: H1Handler | null = null
  private method = ''
  /** Bytes of a response head, or of a chunk-size or trailer line, not complete yet. */
  private pending: Buffer | null = null
  private body = Body.None
  private remaining = 0
  private chunk = Chunk.Size
  private keepAlive = true
  /** performance.now() after which the exchange in flight times out (0: none). */
  private deadlineAt = 0
  private timeoutMs = 0
  private waitingFor: TimeoutStage = 'headers'
  /** performance.now() at the current read event. */
  private readAt = 0
  private closed = false
  /** The last request head written, with what it was built from. */
  private lastHead: { method: string; path: string; bodyLength: number; headers: string[] | null; bytes: Buffer } | null = null
  private readonly onEnd = () => this.lost(httpError('UND_ERR_SOCKET', 'other side closed'))
  private readonly onSocketError = (err: Error) => this.lost(err)
  private readonly abort = (err: Error) => this.fail(err)

  constructor(private readonly h: H1Host) {}

  dispatch(req: H1Request, x: H1Handler): void {
    if (this.closed) { x.onError(httpError('UND_ERR_CLOSED', 'The client is destroyed')); return }
    let head: Buffer
    try { head = this.headBytes(req) } catch (err) { x.onError(err as Error); return }
    this.x = x
    this.method = req.method
    this.timeoutMs = req.timeoutMs
    this.deadlineAt = req.startedAt + req.timeoutMs
    this.pending = null
    const s = this.socket
    // A free open connection: the request has it at once, so its start is also its connect time.
    if (s && !s.destroyed && req.startedAt - this.idleSince < KEEP_ALIVE_MS) { this.send(s, head, req.body, req.startedAt); return }
    if (s) this.drop(s)
    this.waitingFor = 'connect'
    const start = performance.now()
    // Reads land in one buffer shared by every connection (onread) and are handled before the next
    // read can happen: no Readable stream, no 'data' event and no new buffer per read, which were
    // a tenth of a request's CPU (docs/performance.md). Whatever outlives the read is copied.
    const socket: Socket = connect({ host: this.h.host, port: this.h.port, noDelay: true, onread: { buffer: READ_BUFFER, callback: (n, buf) => {
      if (this.socket === socket) this.read((buf as Buffer).subarray(0, n))
      return true
    } } })
    this.socket = socket
    socket.on('error', this.onSocketError)
    const timer = setTimeout(() => { socket.destroy(); this.lost(httpError('UND_ERR_CONNECT_TIMEOUT', `Connect Timeout Error (attempted address: ${this.h.authority}, timeout: ${this.h.connectTimeoutMs}ms)`)) }, this.h.connectTimeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      const at = performance.now()
      this.h.connected(socket, at - start)
      socket.on('end', this.onEnd)
      socket.on('close', () => { if (this.socket === socket) this.lost(httpError('UND_ERR_SOCKET', 'other side closed')) })
      if (this.x === x) this.send(socket, head, req.body, at)
    })
    socket.once('close', () => clearTimeout(timer))
  }

  /** Ends the connection; an exchange in flight fails with UND_ERR_CLOSED (counted as a reset). */
  destroy(): void {
    this.closed = true
    if (this.x) this.fail(httpError('UND_ERR_CLOSED', 'The client is destroyed'))
    else if (this.socket) this.drop(this.socket)
  }

  /**
   * The request head as bytes, reused while a VU repeats the same request (same method, path, body
   * length and header names and values: a headers object changed in place is seen as changed).
   * Writing a string made Node flatten and encode it on every write; writing the same Buffer
   * costs only the write (docs/performance.md).
   */
  private headBytes(req: H1Request): Buffer {
    const body = req.body
    const bodyLength = body === undefined ? -1 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
    const last = this.lastHead
    if (last && last.method === req.method && last.path === req.path && last.bodyLength === bodyLength && sameHeaders(last.headers, req.headers)) return last.bytes
    const bytes = Buffer.from(this.head(req, bodyLength), 'latin1')
    this.lastHead = { method: req.method, path: req.path, bodyLength, headers: req.headers ? Object.entries(req.headers).flat() : null, bytes }
    return bytes
  }

  private head(req: H1Request, bodyLength: number): string {
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
    if (!host) head += `host: ${this.h.authority}\r\n`
    if (bodyLength >= 0) head += `content-length: ${bodyLength}\r\n`
    else if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') head += 'content-length: 0\r\n'
    return head + 'connection: keep-alive\r\n\r\n'
  }

  private send(socket: Socket, head: Buffer, body: string | Uint8Array | undefined, at: number): void {
    const x = this.x as H1Handler
    x.onConnect(this.abort, at)
    if (this.x !== x) return // aborted in onConnect
    this.waitingFor = 'headers'
    if (body === undefined) socket.write(head)
    else {
      socket.cork()
      socket.write(head)
      socket.write(body)
      socket.uncork()
    }
    x.onRequestSent()
  }

  /**
   * Called by the driver's timer: times the exchange out once its deadline passed, whatever it is
   * waiting for. The deadline is not moved when bytes arrive: a server that trickles its body one
   * byte at a time must not hold a VU (and escape the error count) until the graceful stop.
   */
  checkTimeout(now: number): void {
    if (!this.x || this.deadlineAt === 0 || now < this.deadlineAt) return
    this.fail(timeoutError(this.waitingFor, this.timeoutMs))
  }

  private read(data: Buffer): void {
    if (!this.x) return // bytes after a response (no pipelining): nothing waits for them
    // One clock read per read event: a head and body that arrive together got there at one time.
    this.readAt = performance.now()
    if (this.waitingFor === 'headers') {
      const buf = this.pending ? Buffer.concat([this.pending, data]) : data
      // The head end is looked for in a latin1 string of the read's start, which parseHead then
      // slices: a Buffer#indexOf is a native call costing more than a small read's conversion.
      const probe = buf.toString('latin1', 0, Math.min(buf.length, HEAD_PROBE_BYTES))
      let end = probe.indexOf('\r\n\r\n')
      if (end === -1 && buf.length > HEAD_PROBE_BYTES) end = buf.indexOf(HEAD_END)
      if (end === -1) {
        if (buf.length > MAX_HEAD_BYTES) { this.fail(httpError('UND_ERR_HEADERS_OVERFLOW', 'Headers Overflow Error')); return }
        // Kept past this read: copied out of the shared read buffer.
        this.pending = buf === data ? Buffer.from(buf) : buf
        return
      }
      this.pending = null
      if (!this.parseHead(buf, end, end + 4 <= probe.length ? probe.slice(0, end) : buf.toString('latin1', 0, end))) return
      this.bodyBytes(buf.subarray(end + 4))
    } else this.bodyBytes(data)
  }

  /**
   * Parses a response head; false when the exchange ended (error, or a 1xx to skip with nothing
   * after). Only the status line and the three framing fields are read here; the header block is
   * handed over as text and split into fields only if the VU asks for headers.
   */
  private parseHead(buf: Buffer, end: number, text: string): boolean {
    const x = this.x as H1Handler
    let lineEnd = text.indexOf('\r\n')
    if (lineEnd === -1) lineEnd = text.length
    // "HTTP/1.x NNN reason": checked and read by character code, no regex or number parsing.
    const minor = text.charCodeAt(7)
    const c0 = text.charCodeAt(9)
    const c1 = text.charCodeAt(10)
    const c2 = text.charCodeAt(11)
    if (!text.startsWith('HTTP/1.') || (minor !== 0x30 && minor !== 0x31) || text.charCodeAt(8) !== 0x20 ||
      !isDigit(c0) || !isDigit(c1) || !isDigit(c2) || (lineEnd > 12 && text.charCodeAt(12) !== 0x20)) {
      this.fail(httpError('HPE_INVALID_CONSTANT', 'Expected HTTP/'))
      return false
    }
    const code = (c0 - 0x30) * 100 + (c1 - 0x30) * 10 + (c2 - 0x30)
    if (code < 200) {
      // 100 Continue and other interim responses: the real one follows.
      const rest = buf.subarray(end + 4)
      if (rest.length) this.read(rest)
      return false
    }
    // The three framing fields, found by walking the lines: only a line whose name starts with
    // c or t and has the length of one of them is compared (a whole-block toLowerCase and three
    // scans cost twice as much per response; docs/performance.md). The first occurrence counts.
    let connection: string | null = null
    let transferEncoding: string | null = null
    let lengthText: string | null = null
    for (let at = lineEnd + 2; at < text.length;) {
      let eol = text.indexOf('\r\n', at)
      if (eol === -1) eol = text.length
      // A field line without a name and colon is malformed, as llhttp (undici) and Go's client treat it.
      const colon = text.indexOf(':', at)
      if (colon <= at || colon > eol) { this.fail(httpError('HPE_INVALID_HEADER_TOKEN', 'Invalid header field')); return false }
      const first = text.charCodeAt(at) | 0x20
      if (first === 0x63 || first === 0x74) {
        const n = colon - at
        if (n === 10 || n === 14 || n === 17) {
          const name = text.slice(at, colon).toLowerCase()
          if (name === 'connection') connection ??= text.slice(colon + 1, eol).trim().toLowerCase()
          else if (name === 'content-length') lengthText ??= text.slice(colon + 1, eol).trim()
          else if (name === 'transfer-encoding') transferEncoding ??= text.slice(colon + 1, eol).trim().toLowerCase()
        }
      }
      at = eol + 2
    }
    const fields = text.slice(lineEnd + 2)
    const http10 = minor === 0x30
    const close = connection === null ? http10 : connection === 'close' || (http10 && connection !== 'keep-alive')
    const chunked = transferEncoding?.endsWith('chunked') ?? false
    const length = lengthText === null ? -1 : Number(lengthText)
    this.keepAlive = !close
    if (this.method === 'HEAD' || code === 204 || code === 304) this.body = Body.None
    else if (chunked) { this.body = Body.Chunked; this.chunk = Chunk.Size; this.remaining = 0 }
    else if (lengthText !== null) {
      if (!Number.isSafeInteger(length) || length < 0) { this.fail(httpError('HPE_INVALID_CONTENT_LENGTH', 'Invalid content-length')); return false }
      this.body = length === 0 ? Body.None : Body.Length
      this.remaining = length
    } else { this.body = Body.UntilClose; this.keepAlive = false }
    this.waitingFor = 'body'
    x.onHeaders(code, fields, noop, text.slice(13, lineEnd), this.readAt)
    if (this.x !== x) return false
    if (this.body === Body.None) { this.complete(this.readAt); return false }
    return true
  }

  private bodyBytes(data: Buffer): void {
    const x = this.x
    if (!x || data.length === 0) return
    switch (this.body) {
      case Body.Length: {
        if (data.length < this.remaining) { this.remaining -= data.length; x.onData(data, true); return }
        const last = data.length === this.remaining ? data : data.subarray(0, this.remaining)
        this.remaining = 0
        x.onData(last, true)
        if (this.x === x) this.complete(this.readAt)
        return
      }
      case Body.UntilClose: x.onData(data, true); return
      case Body.Chunked: this.chunked(data); return
      default: return
    }
  }

  /** Chunked transfer coding (RFC 9112 §7.1): size line, data, CRLF, … a zero size, trailers, CRLF. */
  private chunked(input: Buffer): void {
    const x = this.x as H1Handler
    // A size or trailer line cut by the previous read (even between its CR and LF) is completed here.
    const data = this.pending ? Buffer.concat([this.pending, input]) : input
    this.pending = null
    let pos = 0
    while (pos < data.length && this.x === x) {
      if (this.chunk === Chunk.Data) {
        const n = Math.min(this.remaining, data.length - pos)
        x.onData(data.subarray(pos, pos + n), true)
        pos += n
        this.remaining -= n
        if (this.remaining === 0) { this.chunk = Chunk.DataEnd; this.remaining = 2 }
        continue
      }
      if (this.chunk === Chunk.DataEnd) {
        const n = Math.min(this.remaining, data.length - pos)
        pos += n
        this.remaining -= n
        if (this.remaining === 0) this.chunk = Chunk.Size
        continue
      }
      // Size and trailer lines: wait for the whole line.
      const eol = data.indexOf('\r\n', pos, 'latin1')
      if (eol === -1) {
        this.pending = Buffer.from(data.subarray(pos))
        if (this.pending.length > MAX_HEAD_BYTES) this.fail(httpError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size'))
        return
      }
      const line = data.toString('latin1', pos, eol)
      pos = eol + 2
      if (this.chunk === Chunk.Trailers) {
        if (line === '') { this.complete(this.readAt); return }
        continue
      }
      const size = parseInt(line, 16)
      if (!/^[0-9a-fA-F]+/.test(line) || !(size >= 0)) { this.fail(httpError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size')); return }
      if (size === 0) this.chunk = Chunk.Trailers
      else { this.chunk = Chunk.Data; this.remaining = size }
    }
  }

  private complete(at: number): void {
    const x = this.x as H1Handler
    this.deadlineAt = 0
    this.x = null
    this.pending = null
    const s = this.socket
    if (s && !this.keepAlive) this.drop(s)
    this.idleSince = at
    x.onComplete(null, at)
  }

  /** The socket ended or failed: the exchange in flight (if any) fails; an idle socket is just gone. */
  private lost(err: Error): void {
    const s = this.socket
    if (!s) return
    if (this.x && this.body === Body.UntilClose && this.waitingFor === 'body') {
      // A body delimited by the end of the connection is complete now.
      this.drop(s)
      this.complete(performance.now())
      return
    }
    if (this.x) this.fail(err)
    else this.drop(s)
  }

  private fail(err: Error): void {
    const x = this.x
    this.deadlineAt = 0
    this.x = null
    this.pending = null
    if (this.socket) this.drop(this.socket)
    x?.onError(err)
  }

  private drop(s: Socket): void {
    if (this.socket === s) this.socket = null
    s.off('end', this.onEnd)
    s.destroy()
  }
}

function noop(): void {}


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

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}
