/**
 * The WebSocket driver on `ws`: sessions timed and counted with k6's metric names, messages read
 * with `next(predicate, timeout)`, request/response round trips as a trend. Built for 10 000
 * sessions per machine: permessage-deflate off unless asked (~12 KB instead of ~243 KB per
 * session), a bounded number of handshakes at once, and one shared timer for every timeout.
 */
import type { CounterHandle, ErrorKind, MetricSink, TrendHandle } from '../metrics/sink.ts'
import type { VuState } from '../core/vu-state.ts'
import { Deadlines } from './deadlines.ts'
import { wsEndpointName } from './endpoint-name.ts'
import { WsSessionImpl, type WsConnectOptions, type WsSession } from './ws-session.ts'
import { openFanout, type Fanout, type FanoutOptions } from './ws-fanout.ts'

export type { WsConnectOptions, WsSession, WsMessage } from './ws-session.ts'
export type { Fanout, FanoutOptions, FanoutEvent } from './ws-fanout.ts'

export interface WsDriverOptions {
  sink: MetricSink
  /** Handshakes in flight at once; more wait their turn. @default 256 */
  maxConcurrentHandshakes?: number
}

/** The `ws` object of a VU. */
export interface WsClient {
  /** Opens a session; a failed handshake returns a closed session with `ok: false` (counted, not thrown). */
  connect(url: string, options?: WsConnectOptions): Promise<WsSession>
  /** Opens `sessions` subscribers for fan-out measurement (see `Fanout.measure`). */
  fanout(url: string, options: FanoutOptions): Promise<Fanout>
}

/** Handles shared by the sessions of one name tag. */
export interface WsHandles {
  readonly connecting: TrendHandle
  readonly sessions: CounterHandle
  readonly sent: CounterHandle
  readonly received: CounterHandle
  readonly duration: TrendHandle
  readonly rtt: TrendHandle
}

export class WsDriver {
  readonly sink: MetricSink
  readonly deadlines = new Deadlines()
  private readonly open = new Set<WsSessionImpl>()
  private readonly handles = new Map<string, WsHandles>()
  private readonly maxHandshakes: number
  private handshakes = 0
  private readonly waiting: (() => void)[] = []
  private closed = false

  constructor(options: WsDriverOptions) {
    this.sink = options.sink
    this.maxHandshakes = options.maxConcurrentHandshakes ?? 256
  }

  forVu(vu: VuState, tags: Readonly<Record<string, string>> = {}): WsClient {
    const mine = new Set<WsSessionImpl>()
    vu.signal.addEventListener('abort', () => { for (const s of mine) s.terminate() }, { once: true })
    const client: WsClient = {
      fanout: (url, options) => openFanout(client, this.sink, { ...tags, ...options.tags, scenario: vu.scenario, name: options.name ?? wsEndpointName(url) }, url, options, this.maxHandshakes),
      connect: async (url, options = {}) => {
        const name = options.name ?? wsEndpointName(url)
        const h = this.handlesFor({ ...tags, ...options.tags, scenario: vu.scenario, name })
        await this.acquire()
        let session: WsSessionImpl
        try {
          session = await WsSessionImpl.open(url, options, h, this, name)
        } finally {
          this.release()
        }
        if (session.ok) {
          session.adopt(mine)
          this.open.add(session)
          if (vu.signal.aborted || this.closed) session.terminate()
        }
        return session
      },
    }
    return client
  }

  /** Counts a failure of a session or message exchange. */
  error(kind: ErrorKind, message: string, endpoint: string, status?: number): void {
    this.sink.error({ kind, message, endpoint, ...(status !== undefined ? { status } : {}) })
  }

  /** A session closed: it no longer needs ending with the driver. */
  forget(session: WsSessionImpl): void {
    this.open.delete(session)
  }

  /** Ends every session and the shared timer; safe to call twice. */
  async close(): Promise<void> {
    this.closed = true
    const all = [...this.open]
    for (const s of all) s.terminate()
    await Promise.all(all.map((s) => s.closedPromise))
    this.deadlines.stop()
  }

  private handlesFor(tags: Record<string, string>): WsHandles {
    const key = JSON.stringify(tags)
    let h = this.handles.get(key)
    if (!h) {
      const s = this.sink
      h = { connecting: s.trend('ws_connecting', tags), sessions: s.counter('ws_sessions', tags), sent: s.counter('ws_msgs_sent', tags),
        received: s.counter('ws_msgs_received', tags), duration: s.trend('ws_session_duration', tags), rtt: s.trend('ws_rtt', tags) }
      this.handles.set(key, h)
    }
    return h
  }

  private acquire(): Promise<void> {
    if (this.handshakes < this.maxHandshakes) { this.handshakes++; return Promise.resolve() }
    return new Promise((resolve) => this.waiting.push(() => { this.handshakes++; resolve() }))
  }
  private release(): void {
    this.handshakes--
    this.waiting.shift()?.()
  }
}

