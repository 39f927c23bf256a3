/**
 * The gRPC driver on @grpc/grpc-js and @grpc/proto-loader: a client from a .proto path; unary,
 * server-streaming, client-streaming and bidi calls; deadlines and metadata. Every call is counted
 * in `grpc_reqs`, tagged by method and status; calls that wait for one response are timed in
 * `grpc_req_duration`, server and bidi streams are sessions timed in `grpc_stream_duration`
 * (grpc-stream.ts). Failures are errors by kind, returned and counted, never thrown out of the VU.
 */
import type * as grpc from '@grpc/grpc-js'
import type { ErrorKind, MetricSink } from '../metrics/sink.ts'
import type { VuState } from '../core/vu-state.ts'
import { GrpcClientImpl } from './grpc-client.ts'
import { grpcJs, grpcProtoLoader } from './lazy-packages.ts'
import { UsageError } from '../errors.ts'

export { kindOfStatus, statusName } from './grpc-status.ts'

export interface GrpcClientOptions {
  /** `host:port` of the server (plaintext; loopback in tests). */
  address: string
  /** Fully qualified service name, e.g. `chat.ChatService`. */
  service: string
  /** Metadata sent with every call (e.g. `{ authorization: 'Bearer …' }`). */
  metadata?: Record<string, string>
  /**
   * Default deadline, ms, of the calls that wait for one response (unary, client stream). Server
   * and bidi streams have no deadline unless the call gives one: they live until the server ends
   * them, the VU cancels them, or the VU or the run ends. @default 10_000
   */
  deadlineMs?: number
  tags?: Record<string, string>
}

export interface GrpcCallOptions {
  metadata?: Record<string, string>
  /** Deadline of this call, ms. On a server or bidi stream it is the stream's planned end: reaching it is not a failure. */
  deadlineMs?: number
}

export interface GrpcResponse<T = unknown> {
  /** False exactly when the call counts in `grpc_req_failed` (a stream ended by the client side is ok; its status says how it ended). */
  readonly ok: boolean
  /** Status name: OK, DEADLINE_EXCEEDED, UNIMPLEMENTED… */
  readonly status: string
  readonly code: number
  readonly message: T | null
  readonly error: string | null
  /** ms from call to response. */
  readonly duration: number
}

export interface GrpcStream<T = unknown> {
  /** The next message matching `predicate`, or null when the stream ended, failed or timed out. */
  next(predicate?: (m: T) => boolean, timeoutMs?: number): Promise<T | null>
  /** Sends a message (client and bidi streams); false once the stream is closed. */
  write(message: unknown): boolean
  /** Ends the sending side; for client streams resolves with the response. */
  end(): Promise<GrpcResponse<T>>
  /** Cancels the call. */
  cancel(): void
  /** Resolves when the call ended, with its status. */
  readonly done: Promise<GrpcResponse<T>>
}

export interface GrpcServiceClient {
  unary<T = unknown>(method: string, request: unknown, options?: GrpcCallOptions): Promise<GrpcResponse<T>>
  serverStream<T = unknown>(method: string, request: unknown, options?: GrpcCallOptions): GrpcStream<T>
  clientStream<T = unknown>(method: string, options?: GrpcCallOptions): GrpcStream<T>
  bidi<T = unknown>(method: string, options?: GrpcCallOptions): GrpcStream<T>
  close(): void
}

/** The `grpc` object of a VU. */
export interface GrpcVuClient {
  /** A client of `service` in the .proto file at `protoPath`. */
  client(protoPath: string, options: GrpcClientOptions): GrpcServiceClient
}

export type ServiceConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: object) => grpc.Client

export class GrpcDriver {
  private readonly protos = new Map<string, grpc.GrpcObject>()
  private readonly clients = new Set<GrpcClientImpl>()
  /**
   * One channel per address for every VU client of the run. grpc-js already carries all channels
   * to one address over one HTTP/2 connection (its global subchannel pool), so sharing the channel
   * changes nothing on the wire; a channel per VU only added objects per VU (no CPU difference
   * measured per call; docs/performance.md).
   */
  private readonly channels = new Map<string, grpc.Channel>()
  constructor(readonly sink: MetricSink) {}

  /** The run's channel to `address` (closed with the driver, not with a VU's client). */
  channel(address: string): grpc.Channel {
    let c = this.channels.get(address)
    if (!c) {
      const g = grpcJs()
      c = new g.Channel(address, g.credentials.createInsecure(), {})
      this.channels.set(address, c)
    }
    return c
  }

  forVu(vu: VuState, tags: Readonly<Record<string, string>> = {}): GrpcVuClient {
    const mine = new Set<GrpcClientImpl>()
    vu.signal.addEventListener('abort', () => { for (const c of [...mine]) c.close() }, { once: true })
    return {
      client: (protoPath, options) => {
        const ctor = this.service(protoPath, options.service)
        // A closed client is forgotten: a VU that makes a client per iteration must not pile them up.
        const c: GrpcClientImpl = new GrpcClientImpl(ctor, options, this, { ...tags, ...options.tags, scenario: vu.scenario }, () => { mine.delete(c); this.clients.delete(c) })
        mine.add(c)
        this.clients.add(c)
        return c
      },
    }
  }

  error(kind: ErrorKind, status: string, message: string, endpoint: string): void {
    this.sink.error({ kind, status, message, endpoint })
  }

  close(): void {
    for (const c of [...this.clients]) c.close()
    this.clients.clear()
    for (const c of this.channels.values()) c.close()
    this.channels.clear()
  }

  private service(protoPath: string, service: string): ServiceConstructor {
    let pkg = this.protos.get(protoPath)
    if (!pkg) {
      const def = grpcProtoLoader().loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true })
      pkg = grpcJs().loadPackageDefinition(def)
      this.protos.set(protoPath, pkg)
    }
    let node: unknown = pkg
    for (const part of service.split('.')) node = (node as Record<string, unknown> | undefined)?.[part]
    if (typeof node !== 'function') throw new UsageError(`grpc.client(): no service "${service}" in ${protoPath}`)
    return node as ServiceConstructor
  }
}
