/**
 * One HTTP exchange: the undici handler (legacy hooks, which undici 7 calls directly with no
 * wrapper object) and the response it resolves with. Timings come from the hooks: onConnect fires
 * on a connected socket right before the write, onRequestSent after the body, onResponseStarted at
 * the first response byte, onComplete at the end. No timer and no closure per request.
 */
import type { ErrorKind } from '../metrics/sink.ts'
import type { HttpRequestOptions, HttpResponse, HttpTimings } from './http-types.ts'
import type { Endpoint } from './http-client.ts'
import { timeoutError } from './http-error-kind.ts'

/** What an exchange reports when it ends (implemented by the VU client). */
export interface ExchangeOwner {
  finish(x: Exchange): void
}

export class Exchange {
  readonly t0 = performance.now()
  tConnect = 0
  tSent = 0
  tFirst = 0
  tEnd = 0
  status = 0
  statusText = ''
  /** undici's name/value list, or the header block as text from our own connection (h1-connection.ts). */
  rawHeaders: (Buffer | string)[] | string | null = null
  chunks: Buffer[] | null = null
  bytes = 0
  error: Error | null = null
  abortFn: ((err: Error) => void) | null = null
  abortReason: Error | null = null
  /** Set when the exchange runs on its VU's own connection, which it frees when done. */
  ownSlot: { busy: boolean } | null = null
  /**
   * performance.now() by which an exchange carried by undici must be over (0: ours, whose
   * connection keeps its own deadline). undici only bounds the wait for the head and each gap
   * between body chunks; the request timeout bounds the whole exchange (see timeOut).
   */
  deadlineAt = 0

  constructor(
    readonly owner: ExchangeOwner,
    readonly method: string,
    readonly url: string,
    readonly name: string,
    readonly keep: boolean,
    readonly resolve: (r: HttpResponse) => void,
    readonly reject: (e: unknown) => void,
    readonly endpoint: Endpoint,
    readonly options: HttpRequestOptions,
  ) {}

  /** Aborts the exchange now, or as soon as undici hands it a socket. */
  abort(reason: Error): void {
    if (this.tEnd) return
    this.abortReason = reason
    if (this.abortFn) this.abortFn(reason)
  }

  /**
   * The request timeout passed (the driver's sweep): the exchange fails as a timeout now. One still
   * waiting for a connection ends at once and is aborted when undici hands it a socket, so a VU
   * never waits past its timeout for a connect or a place in a queue.
   */
  timeOut(timeoutMs: number): void {
    if (this.tEnd) return
    // Interrupted by its VU while waiting for a socket: it ends as that abort, not as a timeout.
    if (this.abortReason && !this.abortFn) { this.onError(this.abortReason); return }
    const err = timeoutError(!this.tConnect ? 'connect' : !this.tFirst ? 'headers' : 'body', timeoutMs)
    this.abortReason = err
    if (this.abortFn) this.abortFn(err)
    else this.onError(err)
  }

  /** `at`: when the request got its connection, if the caller read the clock already. */
  onConnect(abort: (err: Error) => void, at?: number): void {
    // Already over (timed out while waiting for this socket): give the socket back at once.
    if (this.tEnd) { abort(this.abortReason ?? new DOMException('request already ended', 'AbortError')); return }
    this.tConnect = at ?? performance.now()
    this.abortFn = abort
    if (this.abortReason) abort(this.abortReason)
  }
  onRequestSent(): void { this.tSent = performance.now() }
  onResponseStarted(): void { this.tFirst = performance.now() }
  onHeaders(status: number, rawHeaders: (Buffer | string)[] | string, _resume: unknown, statusText?: string, at?: number): boolean {
    if (!this.tFirst) this.tFirst = at ?? performance.now()
    this.status = status
    this.statusText = statusText ?? ''
    this.rawHeaders = rawHeaders
    return true
  }
  /** `lent`: our own connection's chunks view its shared read buffer, so a kept one is copied; undici's are ours to keep. */
  onData(chunk: Buffer, lent?: true): boolean {
    this.bytes += chunk.length
    if (this.keep) (this.chunks ??= []).push(lent ? Buffer.from(chunk) : chunk)
    return true
  }
  onComplete(_trailers?: unknown, at?: number): void {
    this.tEnd = at ?? performance.now()
    this.owner.finish(this)
  }
  onError(err: Error): void {
    if (this.tEnd) return
    this.tEnd = performance.now()
    this.error = this.abortReason ?? err
    this.owner.finish(this)
  }
  onUpgrade(): void { /* not used: loadspec never asks for an upgrade over HTTP */ }
  onBodySent(): void { /* sending time comes from onRequestSent */ }

  // The k6 timing breakdown, read one by one when metrics are recorded (no object per request)
  // and together as `res.timings` when the VU asks.
  get blockedMs(): number { return (this.tConnect || this.tEnd) - this.t0 }
  get sendingMs(): number { return Math.max(0, this.sentAt - (this.tConnect || this.tEnd)) }
  get waitingMs(): number { return Math.max(0, (this.tFirst || this.tEnd) - this.sentAt) }
  get receivingMs(): number { return Math.max(0, this.tEnd - (this.tFirst || this.tEnd)) }
  get durationMs(): number { return this.tConnect ? this.tEnd - this.tConnect : 0 }
  private get sentAt(): number { return this.tSent || this.tConnect || this.tEnd }

  timings(): HttpTimings {
    return { blocked: this.blockedMs, sending: this.sendingMs, waiting: this.waitingMs, receiving: this.receivingMs, duration: this.durationMs }
  }
}

/** The response a VU gets: decoded lazily, so a VU that ignores the body pays nothing for it. */
export class Response implements HttpResponse {
  private text: string | null = null
  private parsedHeaders: Record<string, string | string[]> | null = null
  private timingsCache: HttpTimings | null = null
  constructor(
    private readonly x: Exchange,
    readonly ok: boolean,
    readonly errorKind: ErrorKind | null,
    readonly error: string | null,
  ) {}
  get timings(): HttpTimings { return (this.timingsCache ??= this.x.timings()) }
  get status(): number { return this.x.error ? 0 : this.x.status }
  get name(): string { return this.x.name }
  get url(): string { return this.x.url }
  get bodyBytes(): Uint8Array | null {
    const c = this.x.chunks
    return c ? (c.length === 1 ? (c[0] as Buffer) : Buffer.concat(c)) : null
  }
  get body(): string {
    if (this.text === null) this.text = this.x.chunks ? Buffer.from(this.bodyBytes as Uint8Array).toString('utf8') : ''
    return this.text
  }
  json<T = unknown>(): T { return JSON.parse(this.body) as T }
  get headers(): Record<string, string | string[]> {
    if (!this.parsedHeaders) {
      const out: Record<string, string | string[]> = {}
      const raw = headerList(this.x.rawHeaders)
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const k = String(raw[i]).toLowerCase()
        const v = String(raw[i + 1])
        const prev = out[k]
        out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
      }
      this.parsedHeaders = out
    }
    return this.parsedHeaders
  }
}

/** Name, value, name, value… from either form of raw headers. */
function headerList(raw: (Buffer | string)[] | string | null): (Buffer | string)[] {
  if (raw === null) return []
  if (typeof raw !== 'string') return raw
  const out: string[] = []
  for (const line of raw.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) out.push(line.slice(0, colon), line.slice(colon + 1).trim())
  }
  return out
}
