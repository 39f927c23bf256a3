/** A gRPC service client of one VU: unary calls, streams (grpc-stream.ts), and their metrics (see grpc.ts). */
import type * as grpc from '@grpc/grpc-js'
import type { CounterHandle, MetricSink, RateHandle, Tags, TrendHandle } from '../metrics/sink.ts'
import { grpcJs } from './lazy-packages.ts'
import { GRPC_CANCELLED, GRPC_OK, kindOfStatus, statusName } from './grpc-status.ts'
import { openStream, type AnyCall, type StreamHandles, type StreamKind, type StreamOwner } from './grpc-stream.ts'
import { type GrpcCallOptions, type GrpcClientOptions, type GrpcDriver, type GrpcResponse, type GrpcServiceClient,
  type GrpcStream, type ServiceConstructor } from './grpc.ts'
import { ClosedError, UsageError } from '../errors.ts'

interface CallHandles { reqs: CounterHandle; duration: TrendHandle; failed: RateHandle }

const NO_OPTIONS: GrpcCallOptions = Object.freeze({})
/** Deadline of a call that waits for one response when neither the call nor the client gives one. */
const DEFAULT_DEADLINE_MS = 10_000

export class GrpcClientImpl implements GrpcServiceClient, StreamOwner {
  private readonly client: grpc.Client
  private readonly calls = new Set<{ cancel(): void }>()
  private readonly byName = new Map<string, Map<string, CallHandles>>()
  private readonly streams = new Map<string, StreamHandles>()
  /** Per method: its function on the client and its name tag, looked up once. */
  private readonly methods = new Map<string, { fn: (...args: unknown[]) => unknown; name: string }>()
  /** The client's own metadata as entries, or null: a call without metadata then copies nothing. */
  private readonly baseMetadata: [string, string][] | null
  private isClosed = false

  constructor(ctor: ServiceConstructor, private readonly o: GrpcClientOptions, private readonly d: GrpcDriver, readonly tags: Tags,
    private readonly onClose: () => void = () => {}) {
    this.client = new ctor(o.address, grpcJs().credentials.createInsecure(), { channelOverride: d.channel(o.address) })
    this.baseMetadata = o.metadata && Object.keys(o.metadata).length ? Object.entries(o.metadata) : null
  }

  get closed(): boolean { return this.isClosed }
  get sink(): MetricSink { return this.d.sink }

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
          // Cut off by our own close() (VU or run end): says nothing about the server, so not recorded.
          if (err && err.code === GRPC_CANCELLED && this.closed) resolve({ ok: false, status: 'CANCELLED', code: GRPC_CANCELLED, message: null, error: 'cancelled: the client was closed', duration: performance.now() - start })
          else resolve(this.finish<T>(name, start, err ? err.code : GRPC_OK, err ? err.details : null, err ? null : res))
        }) as { cancel(): void }
      } finally { Error.stackTraceLimit = limit }
      this.calls.add(call)
    })
  }

  serverStream<T>(method: string, request: unknown, options: GrpcCallOptions = NO_OPTIONS): GrpcStream<T> {
    return this.stream<T>('server', method, options, (fn) => fn.call(this.client, request, this.metadata(options), this.streamOptions('server', options)))
  }
  clientStream<T>(method: string, options: GrpcCallOptions = NO_OPTIONS): GrpcStream<T> {
    let reply: (v: T | null) => void = () => {}
    const response = new Promise<T | null>((r) => { reply = r })
    return this.stream<T>('client', method, options, (fn) => fn.call(this.client, this.metadata(options), this.streamOptions('client', options), (_err: unknown, res: T) => reply(res ?? null)), response)
  }
  bidi<T>(method: string, options: GrpcCallOptions = NO_OPTIONS): GrpcStream<T> {
    return this.stream<T>('bidi', method, options, (fn) => fn.call(this.client, this.metadata(options), this.streamOptions('bidi', options)))
  }

  /** Cancels this client's calls; the channel is the driver's and outlives it. */
  close(): void {
    if (this.isClosed) return
    this.isClosed = true
    for (const c of [...this.calls]) c.cancel()
    this.calls.clear()
    this.onClose()
  }

  /** @internal A stream that ended leaves the client's open calls. */
  forget(call: { cancel(): void }): void { this.calls.delete(call) }

  private stream<T>(kind: StreamKind, method: string, options: GrpcCallOptions, open: (fn: (...args: unknown[]) => unknown) => unknown, response?: Promise<T | null>): GrpcStream<T> {
    if (this.closed) throw closedError()
    const { fn, name } = this.method(method)
    const limit = stacksOff()
    let call: AnyCall
    try { call = open(fn) as AnyCall } finally { Error.stackTraceLimit = limit }
    const s = openStream<T>(this, kind, name, this.streamHandles(name), call, options.deadlineMs !== undefined, response)
    this.calls.add(s)
    return s.stream
  }

  /** @internal Records a call that waited for one response (unary, client stream). */
  finish<T>(name: string, start: number, code: number, details: string | null, message: T | null): GrpcResponse<T> {
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
    return { deadline: Date.now() + (o.deadlineMs ?? this.o.deadlineMs ?? DEFAULT_DEADLINE_MS) }
  }

  /**
   * A client stream waits for one response, so it gets the client's default deadline as a unary
   * call does. A server or bidi stream lives as long as the VU holds it (as k6's streams, which
   * have no default timeout): only a deadline given for that call ends it.
   */
  private streamOptions(kind: StreamKind, o: GrpcCallOptions): grpc.CallOptions {
    if (kind === 'client') return this.callOptions(o)
    return o.deadlineMs !== undefined ? { deadline: Date.now() + o.deadlineMs } : {}
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
      // k6's names (k6/net/grpc's metrics.go)
      h = { opened: this.d.sink.counter('grpc_streams', t), sent: this.d.sink.counter('grpc_streams_msgs_sent', t), received: this.d.sink.counter('grpc_streams_msgs_received', t) }
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
