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
import { httpError, timeoutError, type TimeoutStage } from './http-error-kind.ts'
import { RequestHeadCache } from './http-request-head.ts'
import { ERROR, F_CHUNKED, needsEof, F_CONNECTION_UPGRADE, F_CONTENT_LENGTH, F_TRANSFER_ENCODING, F_UPGRADE, INCOMPLETE, keepsAlive, scan, scanChunkSize, scanFields, scanHead, skipEmptyLines } from './http-response-head.ts'

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
/** Where every own connection's socket reads land (see dispatch). */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024)
/** A read's first bytes searched for the end of the head as text (most responses fit whole). */
const HEAD_PROBE_BYTES = 1024
/**
 * A head (or trailer section) still incomplete at this size is refused. Heads are refused much
 * earlier by their counted bytes (MAX_HEADER_BYTES, Node's maxHeaderSize); this only bounds
 * what a head of empty-ish lines could make us buffer.
 */
const MAX_PENDING_HEAD_BYTES = 256 * 1024
/** A chunk-size line's first bytes, checked as text (most are a few hex digits and CRLF). */
const SIZE_LINE_PROBE = 32
/** A chunk-size line (extensions included) longer than this is refused. */
const MAX_CHUNK_LINE_BYTES = 16 * 1024

const enum Body { None, Length, Chunked, UntilClose }
const enum Chunk { Size, Data, DataEnd, Trailers }

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
  /** Version and header flags of the response in flight (trailers add to the flags). */
  private major = 1
  private minor = 1
  private headFlags = 0
  /** performance.now() after which the exchange in flight times out (0: none). */
  private deadlineAt = 0
  private timeoutMs = 0
  private waitingFor: TimeoutStage = 'headers'
  /** performance.now() at the current read event. */
  private readAt = 0
  private closed = false
  /** The last request head written, with what it was built from. */
  /** The last request head written, reused while the VU repeats the request. */
  private readonly requestHead: RequestHeadCache
  private readonly onEnd = () => this.lost(httpError('UND_ERR_SOCKET', 'other side closed'))
  private readonly onSocketError = (err: Error) => this.lost(err)
  private readonly abort = (err: Error) => this.fail(err)

  constructor(private readonly h: H1Host) {
    this.requestHead = new RequestHeadCache(h.authority)
  }

  dispatch(req: H1Request, x: H1Handler): void {
    if (this.closed) { x.onError(httpError('UND_ERR_CLOSED', 'The client is destroyed')); return }
    let head: Buffer
    try { head = this.requestHead.bytes(req) } catch (err) { x.onError(err as Error); return }
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
    if (this.waitingFor === 'headers') this.responseHead(data)
    else this.bodyBytes(data)
  }

  /**
   * Bytes of a response head (and whatever follows it in the same read). The head is checked
   * with llhttp's grammar (http-response-head.ts) on a latin1 string of the read's start, which
   * the header block is then sliced from: most heads fit in the first HEAD_PROBE_BYTES.
   */
  private responseHead(data: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, data]) : data
    let text = buf.toString('latin1', 0, Math.min(buf.length, HEAD_PROBE_BYTES))
    let start = skipEmptyLines(text, 0, text.length)
    let end = scanHead(text, start, text.length)
    if (end === INCOMPLETE && buf.length > text.length) {
      text = buf.toString('latin1')
      start = skipEmptyLines(text, 0, text.length)
      end = scanHead(text, start, text.length)
    }
    if (end === ERROR) { this.fail(httpError(scan.code, scan.error)); return }
    if (end === INCOMPLETE) {
      if (buf.length > MAX_PENDING_HEAD_BYTES) { this.fail(httpError('UND_ERR_HEADERS_OVERFLOW', 'Headers Overflow Error')); return }
      // Kept past this read: copied out of the shared read buffer.
      this.pending = buf === data ? Buffer.from(buf) : buf
      return
    }
    this.pending = null
    this.headComplete(buf, text, end)
  }

  /**
   * A whole response head ends at `end` of `text` (`scan` holds what scanHead found). Framing as
   * llhttp decides it under Node's client: 1xx but 101 are skipped, and HEAD, 1xx, 204 and 304
   * have no body; then chunked (the last coding), another transfer coding (until close), a
   * content-length, or until close. The header block is handed over as text and split into
   * fields only if the VU asks for headers.
   */
  private headComplete(buf: Buffer, text: string, end: number): void {
    const x = this.x as H1Handler
    const code = scan.status
    const flags = scan.flags
    if (code >= 100 && code < 200 && code !== 101) {
      // 100 Continue and other interim responses: the real one follows.
      const rest = buf.subarray(end)
      if (rest.length) this.responseHead(rest)
      return
    }
    // An upgrade we never asked for: the rest of the connection is another protocol (Node's client gives up too).
    if (code === 101 && flags & F_UPGRADE && flags & F_CONNECTION_UPGRADE) { this.fail(httpError('HPE_UNEXPECTED_UPGRADE', 'Unexpected upgrade')); return }
    this.major = scan.major
    this.minor = scan.minor
    this.headFlags = flags
    const length = scan.contentLength
    if (this.method === 'HEAD' || (code >= 100 && code < 200) || code === 204 || code === 304) this.body = Body.None
    else if (flags & F_CHUNKED) { this.body = Body.Chunked; this.chunk = Chunk.Size; this.remaining = 0 }
    else if (flags & F_TRANSFER_ENCODING) this.body = Body.UntilClose
    else if (flags & F_CONTENT_LENGTH) { this.body = length === 0 ? Body.None : Body.Length; this.remaining = length }
    else this.body = Body.UntilClose
    this.keepAlive = !needsEof(code, flags) && keepsAlive(scan.major, scan.minor, flags)
    this.waitingFor = 'body'
    const fields = text.slice(scan.fieldsStart, end - 2)
    x.onHeaders(code, fields, noop, text.slice(scan.reasonStart, scan.reasonEnd), this.readAt)
    if (this.x !== x) return
    if (this.body === Body.None) {
      // After a 101 the bytes are another protocol's: dropped, as llhttp pauses there.
      if (code === 101 || this.strayOk(buf.subarray(end))) this.complete(this.readAt)
      return
    }
    this.bodyBytes(buf.subarray(end))
  }

  /**
   * Bytes that came after a complete response in the same read, as llhttp under Node's client
   * takes them. Empty lines are skipped. After a response that ends the connection (by llhttp's
   * reckoning at its end, where a HEAD response without framing fields still keeps it) any other
   * byte is an error (HPE_CLOSED_CONNECTION). Otherwise they start the next response: bytes that
   * cannot start one fail this exchange (Node reports the parse error on it); a whole second
   * head, a response nobody asked for, only ends the connection; a valid beginning is dropped
   * with the read. False when the exchange failed.
   */
  private strayOk(rest: Buffer): boolean {
    if (rest.length === 0) return true
    const t = rest.toString('latin1', 0, Math.min(rest.length, MAX_PENDING_HEAD_BYTES))
    const i = skipEmptyLines(t, 0, t.length)
    if (i === t.length) return true
    const kept = keepsAlive(this.major, this.minor, this.headFlags) && (this.body !== Body.Chunked || (this.headFlags & F_CHUNKED) !== 0)
    if (!kept) { this.fail(httpError('HPE_CLOSED_CONNECTION', 'Data after `Connection: close`')); return false }
    const r = scanHead(t, i, t.length)
    if (r === ERROR) { this.fail(httpError(scan.code, `${scan.error} (bytes after the response)`)); return false }
    if (r > 0) this.keepAlive = false
    return true
  }

  private bodyBytes(data: Buffer): void {
    const x = this.x
    if (!x || data.length === 0) return
    switch (this.body) {
      case Body.Length: {
        if (data.length < this.remaining) { this.remaining -= data.length; x.onData(data, true); return }
        const last = data.length === this.remaining ? data : data.subarray(0, this.remaining)
        const rest = data.subarray(this.remaining)
        this.remaining = 0
        x.onData(last, true)
        if (this.x === x && this.strayOk(rest)) this.complete(this.readAt)
        return
      }
      case Body.UntilClose: x.onData(data, true); return
      case Body.Chunked: this.chunked(data); return
      default: return
    }
  }

  /**
   * Chunked transfer coding (RFC 9112 §7.1) with llhttp's strictness: size line (hex, extensions,
   * CRLF), data, exactly CRLF, … a zero size, trailer fields, an empty line.
   */
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
        // The CRLF after the data, byte by byte (it may be cut between reads).
        const c = data[pos] as number
        if (c !== (this.remaining === 2 ? 13 : 10)) {
          this.fail(this.remaining === 2 && c === 10 ? httpError('HPE_CR_EXPECTED', 'Missing expected CR after chunk data') : httpError('HPE_STRICT', 'Expected LF after chunk data'))
          return
        }
        pos++
        if (--this.remaining === 0) this.chunk = Chunk.Size
        continue
      }
      // Size and trailer lines: wait for the whole line (or section).
      const trailers = this.chunk === Chunk.Trailers
      let window = trailers ? MAX_PENDING_HEAD_BYTES : SIZE_LINE_PROBE
      let t = data.toString('latin1', pos, Math.min(data.length, pos + window))
      if (trailers) scan.flags = this.headFlags
      let r = trailers ? scanFields(t, 0, t.length) : scanChunkSize(t, 0, t.length)
      if (r === INCOMPLETE && !trailers && data.length - pos > t.length) {
        window = MAX_CHUNK_LINE_BYTES
        t = data.toString('latin1', pos, Math.min(data.length, pos + window))
        r = scanChunkSize(t, 0, t.length)
      }
      if (r === ERROR) { this.fail(httpError(scan.code, scan.error)); return }
      if (r === INCOMPLETE) {
        if (t.length >= window) { this.fail(httpError(trailers ? 'UND_ERR_HEADERS_OVERFLOW' : 'HPE_INVALID_CHUNK_SIZE', trailers ? 'Headers Overflow Error' : 'Chunk size line too long')); return }
        this.pending = Buffer.from(data.subarray(pos))
        return
      }
      pos += r
      if (trailers) {
        // Trailer fields count as llhttp's flags do: a connection: close there ends the connection.
        this.headFlags = scan.flags
        if (!keepsAlive(this.major, this.minor, scan.flags) || (scan.flags & F_CHUNKED) === 0) this.keepAlive = false
        if (this.strayOk(data.subarray(pos))) this.complete(this.readAt)
        return
      }
      if (scan.chunkSize === 0) this.chunk = Chunk.Trailers
      else { this.chunk = Chunk.Data; this.remaining = scan.chunkSize }
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
