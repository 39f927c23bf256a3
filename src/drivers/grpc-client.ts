/** A gRPC service client of one VU: calls, streams, and their metrics (see grpc.ts). */
import type * as grpc from '@grpc/grpc-js'
import type { CounterHandle, RateHandle, Tags, TrendHandle } from '../metrics/sink.ts'
import { Deadlines } from './deadlines.ts'
import { grpcJs } from './lazy-packages.ts'
import { GRPC_CANCELLED, GRPC_OK, kindOfStatus, statusName } from './grpc-status.ts'
import { type GrpcCallOptions, type GrpcClientOptions, type GrpcDriver, type GrpcResponse, type GrpcServiceClient,
  type GrpcStream, type ServiceConstructor } from './grpc.ts'
import { ClosedError, UsageError } from '../errors.ts'

interface CallHandles { reqs: CounterHandle; duration: TrendHandle; failed: RateHandle }
interface StreamHandles { sent: CounterHandle; received: CounterHandle }
type AnyCall = grpc.ClientReadableStream<unknown> & Partial<grpc.ClientWritableStream<unknown>>

const NO_OPTIONS: GrpcCallOptions = Object.freeze({})

/** One shared timer for every stream wait of the process's gRPC clients. */
const deadlines = new Deadlines()

export class GrpcClientImpl implements GrpcServiceClient {
  private readonly client: grpc.Client
  private readonly calls = new Set<{ cancel(): void }>()
  private readonly byName = new Map<string, Map<string, CallHandles>>()
  private readonly streams = new Map<string, StreamHandles>()
  /** Per method: its function on the client and its name tag, looked up once. */
  private readonly methods = new Map<string, { fn: (...args: unknown[]) => unknown; name: string }>()
  /** The client's own metadata as entries, or null: a call without metadata then copies nothing. */
  private readonly baseMetadata: [string, string][] | null
  private closed = false

  constructor(ctor: ServiceConstructor, private readonly o: GrpcClientOptions, private readonly d: GrpcDriver, private readonly tags: Tags,
    private readonly onClose: () => void = () => {}) {
    this.client = new ctor(o.address, grpcJs().credentials.createInsecure(), { channelOverride: d.channel(o.address) })
    this.baseMetadata = o.metadata && Object.keys(o.metadata).length ? Object.entries(o.metadata) : null
  }

  unary<T>(method: string, request: unknown, options: GrpcCallOptions = NO_OPTIONS): Promise<GrpcResponse<T>> {
    if (this.closed) return Promise.reject(closedError())
    const { fn, name } = this.method(method)
    const start = performance.now()
    return new Promise((resolve) => {
      const limit = stacksOff()
      let call: { cancel(): void }
      try {
        call = fn.call(this.client, request, this.metadata(options), this.callOptions(options), (err: grpc.ServiceError | null, res: T) => {
          this.calls.delete(call)
          resolve(this.finish<T>(name, start, err ? err.code : GRPC_OK, err ? err.details : null, err ? null : res))
        }) as { cancel(): void }
      } finally { Error.stackTraceLimit = limit }
      this.calls.add(call)
    })
  }

  serverStream<T>(method: string, request: unknown, options: GrpcCallOptions = {}): GrpcStream<T> {
    return this.stream<T>(method, (fn) => fn.call(this.client, request, this.metadata(options), this.callOptions(options)))
  }
  clientStream<T>(method: string, options: GrpcCallOptions = {}): GrpcStream<T> {
    let reply: (v: T | null) => void = () => {}
    const response = new Promise<T | null>((r) => { reply = r })
    return this.stream<T>(method, (fn) => fn.call(this.client, this.metadata(options), this.callOptions(options), (_err: unknown, res: T) => reply(res ?? null)), response)
  }
  bidi<T>(method: string, options: GrpcCallOptions = {}): GrpcStream<T> {
    return this.stream<T>(method, (fn) => fn.call(this.client, this.metadata(options), this.callOptions(options)))
  }

  /** Cancels this client's calls; the channel is the driver's and outlives it. */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const c of this.calls) c.cancel()
    this.onClose()
  }

  private stream<T>(method: string, open: (fn: (...args: unknown[]) => unknown) => unknown, response?: Promise<T | null>): GrpcStream<T> {
    if (this.closed) throw closedError()
    const { fn, name } = this.method(method)
    const h = this.streamHandles(name)
    const start = performance.now()
    const limit = stacksOff()
    let call: AnyCall
    try { call = open(fn) as AnyCall } finally { Error.stackTraceLimit = limit }
    this.calls.add(call)
    const inbox: T[] = []
    const waiters: { match: (m: T) => boolean; resolve: (m: T | null) => void; cancel: () => void }[] = []
    let ended = false
    let cancelledByUs = false
    let settle: (r: GrpcResponse<T>) => void = () => {}
    const done = new Promise<GrpcResponse<T>>((r) => { settle = r })
    const end = (code: number, details: string | null) => {
      if (ended) return
      ended = true
      this.calls.delete(call)
      for (const w of waiters.splice(0)) { w.cancel(); w.resolve(null) }
      // A stream we cancelled, or that ended because the client closed (end of run), is not a failure.
      const counted = (cancelledByUs || this.closed) && code === GRPC_CANCELLED ? GRPC_OK : code
      void (response ?? Promise.resolve(null)).then((message) => settle(this.finish<T>(name, start, counted, details, message)))
    }
    call.on('data', (m: T) => {
      h.received.add(1)
      const i = waiters.findIndex((w) => w.match(m))
      if (i === -1) { inbox.push(m); if (inbox.length > 256) inbox.shift(); return }
      const [w] = waiters.splice(i, 1)
      w?.cancel()
      w?.resolve(m)
    })
    call.on('error', (err: grpc.ServiceError) => end(err.code, err.details))
    call.on('status', (s: grpc.StatusObject) => end(s.code, s.code === GRPC_OK ? null : s.details))
    call.on('end', () => { if (!ended && !call.write) end(GRPC_OK, null) })
    return {
      next: (match = () => true, timeoutMs = 10_000) => {
        const i = inbox.findIndex(match)
        if (i !== -1) return Promise.resolve(inbox.splice(i, 1)[0] as T)
        if (ended) return Promise.resolve(null)
        return new Promise((resolve) => {
          const w = { match, resolve, cancel: () => {} }
          w.cancel = deadlines.add(timeoutMs, () => {
            waiters.splice(waiters.indexOf(w), 1)
            this.d.error('timeout', 'DEADLINE_EXCEEDED', `no matching stream message within ${timeoutMs} ms`, name)
            resolve(null)
          })
          waiters.push(w)
        })
      },
      write: (message) => {
        if (ended || !call.write) return false
        call.write(message)
        h.sent.add(1)
        return true
      },
      end: () => { call.end?.(); return done },
      cancel: () => { cancelledByUs = true; call.cancel() },
      done,
    }
  }

  private finish<T>(name: string, start: number, code: number, details: string | null, message: T | null): GrpcResponse<T> {
    const duration = performance.now() - start
    const status = statusName(code)
    const h = this.handles(name, status)
    h.reqs.add(1)
    h.duration.add(duration)
    h.failed.add(code !== GRPC_OK)
    if (code !== GRPC_OK) this.d.error(kindOfStatus(code), status, details ?? status, name)
    return { ok: code === GRPC_OK, status, code, message, error: code === GRPC_OK ? null : details ?? status, duration }
  }

  private method(method: string): { fn: (...args: unknown[]) => unknown; name: string } {
    let m = this.methods.get(method)
    if (!m) {
      const fn = (this.client as unknown as Record<string, unknown>)[method]
      if (typeof fn !== 'function') throw new UsageError(`grpc: ${this.o.service} has no method "${method}" in its .proto`)
      m = { fn: fn as (...args: unknown[]) => unknown, name: `${this.o.service}/${method}` }
      this.methods.set(method, m)
    }
    return m
  }

  private metadata(o: GrpcCallOptions): grpc.Metadata {
    const md = new (grpcJs().Metadata)()
    if (this.baseMetadata) for (const [k, v] of this.baseMetadata) md.set(k, v)
    // Set after the client's own, so a call's value for the same key wins.
    if (o.metadata) for (const k in o.metadata) md.set(k, o.metadata[k] as string)
    return md
  }

  private callOptions(o: GrpcCallOptions): grpc.CallOptions {
    return { deadline: Date.now() + (o.deadlineMs ?? this.o.deadlineMs ?? 10_000) }
  }

  private handles(name: string, status: string): CallHandles {
    let m = this.byName.get(name)
    if (!m) { m = new Map(); this.byName.set(name, m) }
    let h = m.get(status)
    if (!h) {
      const t = { ...this.tags, name, status }
      h = { reqs: this.d.sink.counter('grpc_reqs', t), duration: this.d.sink.trend('grpc_req_duration', t), failed: this.d.sink.rate('grpc_req_failed', t) }
      m.set(status, h)
    }
    return h
  }

  private streamHandles(name: string): StreamHandles {
    let h = this.streams.get(name)
    if (!h) {
      const t = { ...this.tags, name }
      h = { sent: this.d.sink.counter('grpc_stream_msgs_sent', t), received: this.d.sink.counter('grpc_stream_msgs_received', t) }
      this.streams.set(name, h)
    }
    return h
  }
}

/**
 * grpc-js captures the caller's stack at the start of every call (`new Error()` in client.js) to
 * append it to the call's error. Under a VU that stack is ten frames deep (promise executor,
 * scenario, VU loop…) and capturing it cost ~4 µs per call, most of what loadspec added over a bare
 * grpc-js loop (docs/performance.md). Results carry the status and details, never that stack, so a
 * call's synchronous start runs with capture off; the caller restores the returned limit.
 */
function stacksOff(): number {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  return limit
}

function closedError(): Error {
  return new ClosedError('grpc: this client is closed (close() was called, or its VU or run ended); create another with grpc.client()')
}
