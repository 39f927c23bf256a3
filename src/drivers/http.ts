/**
 * The HTTP driver: each VU has its own keep-alive connection per origin (as k6 gives each VU its
 * own): loadspec's own HTTP/1.1 connection for http, an undici 7 Client for https; requests a VU
 * runs concurrently overflow to a shared undici Pool per origin. Requests are dispatched with a
 * small handler (http-exchange.ts), metrics recorded through handles cached per VU, endpoint and
 * status. Failures are returned and counted.
 */
import type { Client, Pool, buildConnector } from 'undici'
import type { Socket } from 'node:net'
import type { CounterHandle, MetricSink, RateHandle, TrendHandle } from '../metrics/sink.ts'
import type { VuState } from '../core/vu-state.ts'
import type { HttpClient, HttpRequestOptions, HttpResponse } from './http-types.ts'
import { VuHttpClient } from './http-client.ts'
import { collapsePath } from './endpoint-name.ts'
import { H1Connection, type H1Host } from './h1-connection.ts'
import type { Exchange } from './http-exchange.ts'
import { undici } from './lazy-packages.ts'
import { ClosedError, UsageError } from '../errors.ts'

export type { HttpClient, HttpRequestOptions, HttpResponse, HttpTimings } from './http-types.ts'

export interface HttpDriverOptions {
  sink: MetricSink
  /** Count response bytes but do not keep bodies (k6's discardResponseBodies). */
  discardResponseBodies?: boolean
  /** Default per-request timeout in ms. @default 60_000 */
  timeoutMs?: number
  /** Resolves relative URLs ('/health'). */
  baseUrl?: string
}

/** Where a URL string goes, parsed once and cached. */
export interface Target {
  readonly origin: string
  readonly path: string
  /** Collapsed path for the default name tag. */
  readonly collapsed: string
  /** For plain http, where the VU's own connection is loadspec's (h1-connection.ts); null for https. */
  readonly h1: H1Host | null
}

/** Metric handles of one endpoint and status. */
export interface StatusHandles {
  readonly reqs: CounterHandle
  readonly duration: TrendHandle
  readonly blocked: TrendHandle
  readonly sending: TrendHandle
  readonly waiting: TrendHandle
  readonly receiving: TrendHandle
  readonly failed: RateHandle
  readonly corrected: TrendHandle
  /** Response body bytes (Locust's content size). */
  readonly bodyBytes: CounterHandle
}

const MAX_CACHED_URLS = 10_000
/** How often request timeouts are checked (our own connections and undici's exchanges): they fire up to this late. */
const TIMEOUT_SWEEP_MS = 50

interface TrackedSocket { socket: Socket; sent: number; received: number }

export class HttpDriver {
  readonly sink: MetricSink
  readonly timeoutMs: number
  /** Longest TCP connect, for undici's connector and our own connections alike. */
  private readonly connectTimeoutMs: number
  readonly keepBodies: boolean
  readonly baseUrl: string | undefined
  private readonly pools = new Map<string, Pool>()
  /** Per-VU connections (k6 semantics), closed with the driver. */
  private readonly clients = new Set<Client | H1Connection>()
  private readonly h1Hosts = new Map<string, H1Host>()
  /** Checks the request timeouts of our own connections and of exchanges undici carries (one timer for all). */
  private timeoutSweep: NodeJS.Timeout | null = null
  /** Exchanges carried by undici, with their request timeout in ms (for the error message). */
  private readonly timed = new Map<Exchange, number>()
  private readonly targets = new Map<string, Target>()
  private readonly sockets = new Set<TrackedSocket>()
  private readonly connecting: TrendHandle
  private readonly dataSent: CounterHandle
  private readonly dataReceived: CounterHandle
  private closed = false

  constructor(options: HttpDriverOptions) {
    this.sink = options.sink
    this.timeoutMs = options.timeoutMs ?? 60_000
    this.connectTimeoutMs = Math.min(this.timeoutMs, 30_000)
    this.keepBodies = options.discardResponseBodies !== true
    this.baseUrl = options.baseUrl
    this.connecting = this.sink.trend('http_req_connecting')
    this.dataSent = this.sink.counter('data_sent')
    this.dataReceived = this.sink.counter('data_received')
  }

  /** The `http` object of one VU; `tags` are added to every metric it records. */
  forVu(vu: VuState, tags: Readonly<Record<string, string>> = {}): HttpClient {
    return new VuHttpClient(this, vu, tags)
  }

  /** Parses and caches a URL; relative URLs resolve against `baseUrl`. */
  target(url: string): Target {
    let t = this.targets.get(url)
    if (t) return t
    let u: URL
    try {
      u = this.baseUrl ? new URL(url, this.baseUrl) : new URL(url)
    } catch {
      throw new UsageError(`http: ${JSON.stringify(url)} is not an absolute URL; use http://host:port/path or set http.baseUrl`)
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`http: ${JSON.stringify(url)} is not an http(s) URL`)
    t = { origin: u.origin, path: u.pathname + u.search, collapsed: collapsePath(u.pathname),
      h1: u.protocol === 'http:' ? this.h1Host(u) : null }
    if (this.targets.size >= MAX_CACHED_URLS) this.targets.clear()
    this.targets.set(url, t)
    return t
  }

  /** Adds the bytes moved since the last flush to data_sent / data_received. */
  flushBytes(): void {
    for (const s of this.sockets) this.account(s)
  }

  /** Total bytes moved so far (after a flush). */
  bytes(): { sent: number; received: number } {
    this.flushBytes()
    return { sent: this.totalSent, received: this.totalReceived }
  }
  private totalSent = 0
  private totalReceived = 0

  /** Closes every pool and socket; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const dispatchers: (Pool | Client | H1Connection)[] = [...this.pools.values(), ...this.clients]
    this.pools.clear()
    this.clients.clear()
    this.targets.clear()
    // destroy(), not close(): a request of a VU that ignored its stop signal must not hold the run open.
    await Promise.all(dispatchers.map((p) => p.destroy()))
    if (this.timeoutSweep) { clearInterval(this.timeoutSweep); this.timeoutSweep = null }
    this.timed.clear()
    this.flushBytes()
    this.sockets.clear()
  }

  private account(s: TrackedSocket): void {
    const w = s.socket.bytesWritten
    const r = s.socket.bytesRead
    if (w > s.sent) { this.dataSent.add(w - s.sent); this.totalSent += w - s.sent; s.sent = w }
    if (r > s.received) { this.dataReceived.add(r - s.received); this.totalReceived += r - s.received; s.received = r }
  }

  /** A connection of one VU to one origin (its first request in flight uses it): ours for http, undici's for https. */
  vuClient(target: Target): Client | H1Connection {
    if (this.closed) throw new ClosedError('http: the driver is closed (the run has ended)')
    if (target.h1) {
      const own = new H1Connection(target.h1)
      this.clients.add(own)
      this.sweep()
      return own
    }
    const c = new (undici().Client)(target.origin, { pipelining: 1, keepAliveTimeout: 4_000, allowH2: false, connect: this.connector(),
      headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs })
    this.clients.add(c)
    return c
  }

  /** Bounds an exchange undici carries by its `deadlineAt` (the request timeout over the whole exchange). */
  watch(x: Exchange, timeoutMs: number): void {
    this.timed.set(x, timeoutMs)
    this.sweep()
  }

  /** The exchange ended: it needs no more checking. */
  unwatch(x: Exchange): void {
    this.timed.delete(x)
  }

  /** Starts the one timer that checks every request timeout, if it is not running. */
  private sweep(): void {
    if (this.timeoutSweep || this.closed) return
    this.timeoutSweep = setInterval(() => {
      const now = performance.now()
      for (const c of this.clients) if (c instanceof H1Connection) c.checkTimeout(now)
      for (const [x, ms] of this.timed) if (now >= x.deadlineAt) { this.timed.delete(x); x.timeOut(ms) }
    }, TIMEOUT_SWEEP_MS)
  }

  /** Where loadspec's own connections to an http origin go, and how their sockets are counted. */
  private h1Host(u: URL): H1Host {
    let h = this.h1Hosts.get(u.origin)
    if (h) return h
    h = { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || 80), authority: u.host, connectTimeoutMs: this.connectTimeoutMs,
      connected: (socket, ms) => { this.connecting.add(ms); this.track(socket) } }
    this.h1Hosts.set(u.origin, h)
    return h
  }

  /** Counts a socket's bytes in data_sent / data_received until it closes. */
  private track(socket: Socket): void {
    const tracked: TrackedSocket = { socket, sent: 0, received: 0 }
    this.sockets.add(tracked)
    socket.once('close', () => { this.account(tracked); this.sockets.delete(tracked) })
  }

  /** The shared pool of an origin, for requests a VU runs concurrently (created on first use). */
  pool(origin: string): Pool {
    let p = this.pools.get(origin)
    if (p) return p
    if (this.closed) throw new ClosedError('http: the driver is closed (the run has ended)')
    p = new (undici().Pool)(origin, { connections: null, pipelining: 1, keepAliveTimeout: 4_000, allowH2: false, connect: this.connector(),
      headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs })
    this.pools.set(origin, p)
    return p
  }

  private connector(): buildConnector.connector {
    const base = undici().buildConnector({ timeout: this.connectTimeoutMs })
    // Our own connector: times each TCP connect and tracks the socket for byte counts.
    const connect: buildConnector.connector = (opts, callback) => {
      const start = performance.now()
      base(opts, (err, socket) => {
        if (!err && socket) {
          this.connecting.add(performance.now() - start)
          this.track(socket as Socket)
        }
        if (err) callback(err, null)
        else callback(null, socket as Socket)
      })
    }
    return connect
  }
}

