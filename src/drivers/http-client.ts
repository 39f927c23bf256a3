/**
 * The `http` object of one VU. Looks endpoints up once (per method and name) and metric handles
 * once per status, so a request after the first allocates only its Exchange and Response.
 */
import { HttpRequestError } from '../errors.ts'
import type { ErrorKind, MetricSink } from '../metrics/sink.ts'
import type { VuState } from '../core/vu-state.ts'
import type { HttpDriver, StatusHandles, Target } from './http.ts'
import type { HttpClient, HttpRequestOptions, HttpResponse } from './http-types.ts'
import { Exchange, Response, type ExchangeOwner } from './http-exchange.ts'
import type { Client } from 'undici'
import { H1Connection } from './h1-connection.ts'
import { kindOfError, kindOfStatus } from './http-error-kind.ts'

const NO_OPTIONS: HttpRequestOptions = Object.freeze({})
const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json' })

/** One (scenario, method, name, extra tags) with its handles by status. */
export class Endpoint {
  private readonly byStatus = new Map<number, StatusHandles>()
  constructor(private readonly sink: MetricSink, readonly tags: Readonly<Record<string, string>>) {}
  handles(status: number): StatusHandles {
    let h = this.byStatus.get(status)
    if (!h) {
      const t = { ...this.tags, status: String(status) }
      const s = this.sink
      h = { reqs: s.counter('http_reqs', t), duration: s.trend('http_req_duration', t), blocked: s.trend('http_req_blocked', t),
        sending: s.trend('http_req_sending', t), waiting: s.trend('http_req_waiting', t), receiving: s.trend('http_req_receiving', t),
        failed: s.rate('http_req_failed', t), corrected: s.trend('http_req_duration_corrected', t), bodyBytes: s.counter('http_res_body_bytes', t) }
      this.byStatus.set(status, h)
    }
    return h
  }
}

export class VuHttpClient implements HttpClient, ExchangeOwner {
  private readonly inflight = new Set<Exchange>()
  private readonly endpoints = new Map<string, Map<string, Endpoint>>()
  /** Default names per target and method, so `GET ` + path is built once per URL. */
  private readonly names = new WeakMap<Target, Map<string, string>>()
  /** This VU's own connection per origin and whether a request is on it. */
  private readonly own = new Map<string, { client: Client | H1Connection; busy: boolean }>()
  private last: { url: string; method: string; nameOption: string | undefined; target: Target; name: string; endpoint: Endpoint } | null = null

  constructor(private readonly d: HttpDriver, private readonly vu: VuState, private readonly tags: Readonly<Record<string, string>>) {
    // One listener per VU (not per request): a stopped VU aborts whatever it has in flight.
    vu.signal.addEventListener('abort', () => {
      for (const x of this.inflight) x.abort(vu.signal.reason instanceof Error ? vu.signal.reason : new DOMException('VU interrupted', 'AbortError'))
    }, { once: true })
  }

  get(url: string, o?: HttpRequestOptions) { return this.request('GET', url, o) }
  post(url: string, o?: HttpRequestOptions) { return this.request('POST', url, o) }
  put(url: string, o?: HttpRequestOptions) { return this.request('PUT', url, o) }
  patch(url: string, o?: HttpRequestOptions) { return this.request('PATCH', url, o) }
  delete(url: string, o?: HttpRequestOptions) { return this.request('DELETE', url, o) }
  head(url: string, o?: HttpRequestOptions) { return this.request('HEAD', url, o) }

  request(method: string, url: string, o: HttpRequestOptions = NO_OPTIONS): Promise<HttpResponse> {
    let target: Target
    let name: string
    let endpoint: Endpoint
    // A VU usually repeats its requests: the last one's lookups (URL, name, endpoint) are reused.
    // Not with extra tags: an object changed in place must be read again.
    const last = this.last
    if (last && last.url === url && last.method === method && last.nameOption === o.name && o.tags === undefined) {
      target = last.target
      name = last.name
      endpoint = last.endpoint
    } else {
      try { target = this.d.target(url) } catch (err) { return Promise.reject(err) }
      name = o.name ?? this.defaultName(target, method)
      endpoint = this.endpoint(method, name, o.tags)
      this.last = o.tags === undefined ? { url, method, nameOption: o.name, target, name, endpoint } : null
    }
    let headers: Record<string, string> | undefined = o.headers
    let body = o.body
    if (o.json !== undefined) {
      body = JSON.stringify(o.json)
      headers = headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS
    }
    const path = o.query ? withQuery(target.path, o.query) : target.path
    const keep = this.d.keepBodies && o.responseType !== 'none' && method !== 'HEAD'
    const timeout = o.timeout ?? this.d.timeoutMs
    return new Promise<HttpResponse>((resolve, reject) => {
      const x = new Exchange(this, method, url, name, keep, resolve, reject, endpoint, o)
      this.inflight.add(x)
      if (this.vu.signal.aborted) x.abort(new DOMException('VU interrupted', 'AbortError'))
      // The VU's own connection when it is free; a concurrent request of the same VU overflows to the pool.
      let own = this.own.get(target.origin)
      if (!own) { own = { client: this.d.vuClient(target), busy: false }; this.own.set(target.origin, own) }
      const client = own.client
      // Our own connection takes bodies it can write at once; a streamed body goes through undici.
      if (!own.busy && client instanceof H1Connection && (body === undefined || typeof body === 'string' || body instanceof Uint8Array)) {
        own.busy = true
        x.ownSlot = own
        client.dispatch({ method, path, headers, body, timeoutMs: timeout, startedAt: x.t0 }, x)
        return
      }
      // undici's own timeouts stay as a backstop; the driver's sweep enforces the whole-exchange deadline.
      const opts = { origin: target.origin, method, path, headers, body: body as never, headersTimeout: timeout, bodyTimeout: timeout }
      x.deadlineAt = x.t0 + timeout
      this.d.watch(x, timeout)
      if (own.busy || client instanceof H1Connection) this.d.pool(target.origin).dispatch(opts, x as never)
      else { own.busy = true; x.ownSlot = own; client.dispatch(opts, x as never) }
    })
  }

  finish(x: Exchange): void {
    this.inflight.delete(x)
    if (x.deadlineAt) this.d.unwatch(x)
    if (x.ownSlot) x.ownSlot.busy = false
    const o = x.options
    const status = x.error ? 0 : x.status
    const expected = !x.error && isExpected(status, o.expectedStatuses)
    const kind: ErrorKind | null = x.error ? kindOfError(x.error) : expected ? null : kindOfStatus(status)
    const message = x.error ? errorMessage(x.error) : expected ? null : statusMessage(x)
    // A request we cut off ourselves (the VU was interrupted at the end of gracefulStop) says
    // nothing about the server: it is returned as aborted but not recorded, as in k6.
    if (kind === 'aborted' && this.vu.signal.aborted) {
      x.resolve(new Response(x, false, kind, message))
      return
    }
    const h = x.endpoint.handles(status)
    h.reqs.add(1)
    h.failed.add(!expected)
    // Without a response there is no duration to report: a refused connect is not a 0 ms request.
    if (status !== 0) {
      const duration = x.durationMs
      h.duration.add(duration)
      h.blocked.add(x.blockedMs)
      h.sending.add(x.sendingMs)
      h.waiting.add(x.waitingMs)
      h.receiving.add(x.receivingMs)
      if (this.vu.lagMs !== null) h.corrected.add(duration + this.vu.lagMs)
      h.bodyBytes.add(x.bytes)
    }
    if (kind) this.d.sink.error({ kind, ...(status ? { status } : {}), message: message as string, endpoint: x.name })
    if (kind && o.throw) x.reject(new HttpRequestError(kind, status || undefined, `${x.method} ${x.url} failed: ${message}`, { cause: x.error ?? undefined }))
    else x.resolve(new Response(x, expected, kind, message))
  }

  private endpoint(method: string, name: string, extra: Record<string, string> | undefined): Endpoint {
    const key = extra ? `${method}\u0000${JSON.stringify(extra)}` : method
    let byName = this.endpoints.get(key)
    if (!byName) { byName = new Map(); this.endpoints.set(key, byName) }
    let ep = byName.get(name)
    if (!ep) {
      ep = new Endpoint(this.d.sink, { ...this.tags, ...extra, scenario: this.vu.scenario, method, name })
      byName.set(name, ep)
    }
    return ep
  }

  private defaultName(t: Target, method: string): string {
    let m = this.names.get(t)
    if (!m) { m = new Map(); this.names.set(t, m) }
    let n = m.get(method)
    if (!n) { n = `${method} ${t.collapsed}`; m.set(method, n) }
    return n
  }
}

function isExpected(status: number, expected: HttpRequestOptions['expectedStatuses']): boolean {
  if (!expected) return status >= 200 && status < 400
  for (const e of expected) if (typeof e === 'number' ? e === status : status >= e.min && status <= e.max) return true
  return false
}

function withQuery(path: string, query: Record<string, string | number | boolean>): string {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path
}

/** Characters of an error response's body kept in its error sample: enough to tell errors apart. */
const BODY_EXCERPT = 120

/** `503 Service Unavailable: {"error":"overloaded"}`: the status and the start of the body, if kept. */
function statusMessage(x: Exchange): string {
  const head = `${x.status}${x.statusText ? ' ' + x.statusText : ''}`
  if (!x.chunks || x.chunks.length === 0) return head
  const first = x.chunks[0] as Buffer
  const text = first.subarray(0, BODY_EXCERPT * 4).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, BODY_EXCERPT)
  return text ? `${head}: ${text}` : head
}

function errorMessage(err: Error): string {
  const code = (err as { code?: string }).code
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  const inner = cause?.code && cause.code !== code ? ` (${cause.code})` : ''
  return `${code ? code + ': ' : ''}${err.message}${inner}`
}
