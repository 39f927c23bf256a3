/**
 * One WebSocket session of a VU. Messages are matched against waiters (`next`, `request`) as they
 * arrive; unmatched ones wait in a small inbox. Failures are counted by kind and end as `null`
 * results or a closed session, never as exceptions out of the VU.
 */
import type WebSocket from 'ws'
import type { ErrorKind } from '../metrics/sink.ts'
import type { WsDriver, WsHandles } from './ws.ts'
import { wsClass } from './lazy-packages.ts'
import { UsageError } from '../errors.ts'

/** WebSocket.OPEN (RFC 6455 readyState), without loading ws to read it. */
const OPEN = 1

export interface WsConnectOptions {
  headers?: Record<string, string>
  /** The `name` tag; default `WS` + path with ids collapsed. */
  name?: string
  tags?: Record<string, string>
  /** Handshake timeout, ms. @default 10_000 */
  timeout?: number
  /** Negotiate permessage-deflate (costs ~20× the memory per session). @default false */
  perMessageDeflate?: boolean
}

export interface WsMessage {
  /** Text of a text frame, or the bytes of a binary one decoded as UTF-8. */
  readonly text: string
  readonly binary: boolean
  json<T = unknown>(): T
  /** performance.now() when it arrived. */
  readonly at: number
}

export interface WsSession {
  /** The handshake succeeded. */
  readonly ok: boolean
  /** Why the handshake failed, or why the session ended badly. */
  readonly error: string | null
  readonly closed: boolean
  /** Close code once closed (1000 normal, 1006 abnormal…). */
  readonly closeCode: number | null
  /** Sends text, bytes, or an object as JSON; false when the session is not open. */
  send(data: string | Uint8Array | object): boolean
  /** The next message matching `predicate` (or any), or null on timeout or close. @param timeoutMs default 10 000 */
  next(predicate?: (m: WsMessage) => boolean, timeoutMs?: number): Promise<WsMessage | null>
  /** Sends and waits for the matching reply; the round trip is recorded in `ws_rtt`. */
  request(data: string | Uint8Array | object, match: (m: WsMessage) => boolean, timeoutMs?: number): Promise<WsMessage | null>
  /** Sees every message as it arrives (fan-out, feeds); returns the unsubscribe function. */
  onMessage(listener: (m: WsMessage) => void): () => void
  /** Closes (normal closure by default) and resolves once closed. */
  close(code?: number, reason?: string): Promise<void>
}

/** Unmatched messages kept per session; older ones are dropped (a reader that never reads must not grow without bound). */
const INBOX_LIMIT = 256
const DEFAULT_WAIT_MS = 10_000
const NORMAL_CLOSE = new Set([1000, 1001, 1005])

/** ws's RawData, spelled out so that our declaration files do not need ws's types. */
type RawData = Buffer | ArrayBuffer | Buffer[]

class Message implements WsMessage {
  private decoded: string | null = null
  constructor(private readonly raw: RawData, readonly binary: boolean, readonly at: number) {}
  get text(): string {
    if (this.decoded === null) this.decoded = Array.isArray(this.raw) ? Buffer.concat(this.raw).toString('utf8') : Buffer.from(this.raw as ArrayBuffer).toString('utf8')
    return this.decoded
  }
  json<T = unknown>(): T { return JSON.parse(this.text) as T }
}

interface Waiter { match: (m: WsMessage) => boolean; resolve: (m: WsMessage | null) => void; cancel: () => void }

/**
 * An idle session must cost little (10 000 of them per generator): it holds no closure of its own
 * once open. Socket events go to shared listeners that find the session through SESSION, the
 * closed promise exists only once someone waits for it, and the waiter list only once something waits.
 */
const SESSION = Symbol('loadspec.wsSession')
type SessionSocket = WebSocket & { [SESSION]: WsSessionImpl }

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  (this as SessionSocket)[SESSION].receive(new Message(data, isBinary, performance.now()))
}
function onSocketError(this: WebSocket, err: Error & { code?: string }): void { (this as SessionSocket)[SESSION].onError(err) }
function onSocketClose(this: WebSocket, code: number): void { (this as SessionSocket)[SESSION].onClose(code) }

const RESOLVED = Promise.resolve()

export class WsSessionImpl implements WsSession {
  ok = false
  error: string | null = null
  closed = false
  closeCode: number | null = null
  private closedWait: { promise: Promise<void>; resolve: () => void } | null = null
  private openedAt = 0
  private inbox: Message[] | null = null
  private waiters: Waiter[] | null = null
  private listeners: ((m: WsMessage) => void)[] | null = null
  /** Until the handshake settles: how to fail it. */
  private failOpen: ((kind: ErrorKind, message: string, status?: number) => void) | null = null
  /** The VU's set of open sessions, which this one leaves when it closes. */
  private owner: Set<WsSessionImpl> | null = null
  private weClosed = false

  private constructor(private readonly ws: SessionSocket, private readonly h: WsHandles, private readonly driver: WsDriver, private readonly name: string) {
    ws[SESSION] = this
  }

  /** Resolves once the session is closed. */
  get closedPromise(): Promise<void> {
    if (this.closed) return RESOLVED
    if (!this.closedWait) {
      let resolve: () => void = () => {}
      const promise = new Promise<void>((r) => { resolve = r })
      this.closedWait = { promise, resolve }
    }
    return this.closedWait.promise
  }

  static open(url: string, o: WsConnectOptions, h: WsHandles, driver: WsDriver, name: string): Promise<WsSessionImpl> {
    const t0 = performance.now()
    let ws: SessionSocket
    try {
      ws = new (wsClass())(url, { headers: o.headers, perMessageDeflate: o.perMessageDeflate ?? false, handshakeTimeout: o.timeout ?? 10_000 }) as SessionSocket
    } catch (err) {
      throw new UsageError(`ws.connect(): ${JSON.stringify(url)} is not a ws:// or wss:// URL (${(err as Error).message})`)
    }
    const s = new WsSessionImpl(ws, h, driver, name)
    return new Promise((resolve) => {
      const onUnexpected = (_req: unknown, res: { statusCode?: number; resume(): void }) => {
        const status = res.statusCode ?? 0
        res.resume()
        s.failOpen?.(status === 429 ? 'rate_limited' : status >= 500 ? '5xx' : '4xx', `handshake answered ${status}`, status)
      }
      s.failOpen = (kind, message, status) => {
        if (s.ok || s.closed) return
        s.failOpen = null
        s.error = message
        s.closed = true
        driver.error(kind, message, name, status)
        ws.terminate()
        s.finish()
        resolve(s)
      }
      ws.once('unexpected-response', onUnexpected)
      ws.on('error', onSocketError)
      ws.once('open', () => {
        s.failOpen = null
        ws.off('unexpected-response', onUnexpected)
        s.ok = true
        s.openedAt = performance.now()
        h.connecting.add(s.openedAt - t0)
        h.sessions.add(1)
        resolve(s)
      })
      ws.on('message', onSocketMessage)
      ws.once('close', onSocketClose)
    })
  }

  /** Counts this open session in the VU's `owner` set (left again when it closes). */
  adopt(owner: Set<WsSessionImpl>): void {
    this.owner = owner
    owner.add(this)
  }

  send(data: string | Uint8Array | object): boolean {
    if (!this.ok || this.closed || this.ws.readyState !== OPEN) return false
    this.ws.send(typeof data === 'string' || data instanceof Uint8Array ? data : JSON.stringify(data))
    this.h.sent.add(1)
    return true
  }

  next(match: (m: WsMessage) => boolean = always, timeoutMs = DEFAULT_WAIT_MS): Promise<WsMessage | null> {
    const inbox = this.inbox
    if (inbox) {
      const i = inbox.findIndex(match)
      if (i !== -1) return Promise.resolve(inbox.splice(i, 1)[0] as Message)
    }
    if (this.closed) return Promise.resolve(null)
    return new Promise((resolve) => {
      const w: Waiter = { match, resolve, cancel: () => {} }
      w.cancel = this.driver.deadlines.add(timeoutMs, () => {
        this.dropWaiter(w)
        this.driver.error('timeout', `no matching message within ${timeoutMs} ms`, this.name)
        resolve(null)
      })
      ;(this.waiters ??= []).push(w)
    })
  }

  async request(data: string | Uint8Array | object, match: (m: WsMessage) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<WsMessage | null> {
    const t0 = performance.now()
    const reply = this.next(match, timeoutMs)
    if (!this.send(data)) return null
    const m = await reply
    if (m) this.h.rtt.add(m.at - t0)
    return m
  }

  onMessage(listener: (m: WsMessage) => void): () => void {
    ;(this.listeners ??= []).push(listener)
    return () => { this.listeners = this.listeners?.filter((l) => l !== listener) ?? null }
  }

  close(code = 1000, reason = ''): Promise<void> {
    if (!this.closed) {
      this.weClosed = true
      this.ws.close(code, reason)
    }
    return this.closedPromise
  }

  /** Ends the session at once (VU interrupted, run over). Not an error. */
  terminate(): void {
    if (this.closed) return
    this.weClosed = true
    this.ws.terminate()
  }

  /** @internal A message arrived (shared socket listener). */
  receive(m: Message): void {
    this.h.received.add(1)
    if (this.listeners) for (const l of this.listeners) l(m)
    const waiters = this.waiters
    if (waiters) for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i] as Waiter
      if (w.match(m)) {
        waiters.splice(i, 1)
        w.cancel()
        w.resolve(m)
        return
      }
    }
    if (this.listeners) return
    const inbox = (this.inbox ??= [])
    inbox.push(m)
    if (inbox.length > INBOX_LIMIT) inbox.shift()
  }

  private failed(kind: ErrorKind, message: string): void {
    this.error = message
    this.driver.error(kind, message, this.name)
  }

  /** @internal The socket failed (shared socket listener): fails the handshake, or counts the error of an open session. */
  onError(err: Error & { code?: string }): void {
    if (!this.ok) this.failOpen?.(kindOfWsError(err), err.message)
    else this.failed(err.code?.startsWith('WS_ERR') ? 'protocol' : kindOfWsError(err), err.message)
  }

  /** @internal The socket closed (shared socket listener). */
  onClose(code: number): void {
    if (!this.ok) return
    this.closeCode = code
    if (!this.weClosed && !NORMAL_CLOSE.has(code) && this.error === null) {
      this.failed(code === 1006 ? 'reset' : code === 1011 ? '5xx' : 'protocol', `closed by the server with code ${code}`)
    }
    this.h.duration.add(performance.now() - this.openedAt)
    this.finish()
  }

  private finish(): void {
    this.closed = true
    if (this.waiters) for (const w of this.waiters.splice(0)) { w.cancel(); w.resolve(null) }
    this.owner?.delete(this)
    this.owner = null
    this.driver.forget(this)
    this.closedWait?.resolve()
  }

  private dropWaiter(w: Waiter): void {
    const i = this.waiters?.indexOf(w) ?? -1
    if (i !== -1) this.waiters?.splice(i, 1)
  }
}

const always = () => true

function kindOfWsError(err: Error & { code?: string }): ErrorKind {
  switch (err.code) {
    case 'ECONNREFUSED': return 'refused'
    case 'ECONNRESET': case 'EPIPE': return 'reset'
    case 'ETIMEDOUT': return 'timeout'
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'dns'
  }
  if (/timed out/i.test(err.message)) return 'timeout'
  if (err.code?.startsWith('WS_ERR')) return 'protocol'
  return 'other'
}
