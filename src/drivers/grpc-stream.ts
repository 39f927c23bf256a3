/**
 * One gRPC stream call of a VU client: its inbox and waiters, and what its end means.
 *
 * A client stream waits for one response, so it is a request: `grpc_reqs`, `grpc_req_duration`,
 * `grpc_req_failed`, as a unary call. A server or bidi stream is a session the VU holds open, as a
 * WebSocket is (docs/decisions.md): `grpc_streams` counts it when it opens, `grpc_stream_duration`
 * times it when it ends, and it counts once in `grpc_reqs` / `grpc_req_failed` with the status it
 * ended with, but adds nothing to `grpc_req_duration` (its length is the VU's choice, not the
 * server's latency). It failed only when the server or the network ended it with a non-OK status;
 * ended by the client side (cancel(), close(), the VU or the run ending, the deadline given for it)
 * it did not.
 */
import type * as grpc from '@grpc/grpc-js'
import type { CounterHandle, MetricSink, Tags } from '../metrics/sink.ts'
import { Deadlines } from './deadlines.ts'
import { GRPC_CANCELLED, GRPC_DEADLINE_EXCEEDED, GRPC_OK, kindOfStatus, statusName } from './grpc-status.ts'
import type { GrpcResponse, GrpcStream } from './grpc.ts'

export type StreamKind = 'client' | 'server' | 'bidi'
export type AnyCall = grpc.ClientReadableStream<unknown> & Partial<grpc.ClientWritableStream<unknown>>

/** Per method name: the counters every stream of it shares. */
export interface StreamHandles { opened: CounterHandle; sent: CounterHandle; received: CounterHandle }

/** What a stream needs from its client. */
export interface StreamOwner {
  readonly sink: MetricSink
  /** Records a request-like end (client streams), as a unary call is recorded. */
  finish<T>(name: string, start: number, code: number, details: string | null, message: T | null): GrpcResponse<T>
  /** True once the client was closed (by the VU, its end, or the run's). */
  readonly closed: boolean
  readonly tags: Tags
  forget(call: { cancel(): void }): void
}

/** One shared timer for every stream wait of the process's gRPC clients. */
const deadlines = new Deadlines()
/** Messages kept for a later next() when nothing waits for them. */
const INBOX_LIMIT = 256

export interface OpenStream<T> {
  readonly stream: GrpcStream<T>
  /** Ends the stream as ended by us (recorded at once, then cancelled): for the client's close(). */
  cancel(): void
}

export function openStream<T>(owner: StreamOwner, kind: StreamKind, name: string, h: StreamHandles, call: AnyCall,
  hasDeadline: boolean, response?: Promise<T | null>): OpenStream<T> {
  const start = performance.now()
  if (kind !== 'client') h.opened.add(1)
  const inbox: T[] = []
  const waiters: { match: (m: T) => boolean; resolve: (m: T | null) => void; cancel: () => void }[] = []
  let ended = false
  let cancelledByUs = false
  let settle: (r: GrpcResponse<T>) => void = () => {}
  const done = new Promise<GrpcResponse<T>>((r) => { settle = r })

  const end = (code: number, details: string | null) => {
    if (ended) return
    ended = true
    owner.forget(handle)
    for (const w of waiters.splice(0)) { w.cancel(); w.resolve(null) }
    const byUs = (cancelledByUs || owner.closed) && code === GRPC_CANCELLED
    if (kind === 'client') {
      // A request we cut off says nothing about the server: not recorded (as HTTP requests we abort).
      if (byUs) { settle(outcome<T>(code, details, null, true, performance.now() - start)); return }
      void (response ?? Promise.resolve(null)).then((message) => settle(owner.finish<T>(name, start, code, details, message)))
      return
    }
    // Recorded now, not when grpc-js reports the status: a stream the run's end cancels must be in the result.
    settle(session(code, details, byUs || (hasDeadline && code === GRPC_DEADLINE_EXCEEDED)))
  }

  const session = (code: number, details: string | null, endedByClient: boolean): GrpcResponse<T> => {
    const duration = performance.now() - start
    const status = statusName(code)
    const failed = code !== GRPC_OK && !endedByClient
    const t = { ...owner.tags, name, status }
    owner.sink.counter('grpc_reqs', t).add(1)
    owner.sink.rate('grpc_req_failed', t).add(failed)
    owner.sink.trend('grpc_stream_duration', t).add(duration)
    if (failed) owner.sink.error({ kind: kindOfStatus(code), status, message: details ?? status, endpoint: name })
    return outcome<T>(code, details, null, !failed, duration)
  }

  call.on('data', (m: T) => {
    h.received.add(1)
    const i = waiters.findIndex((w) => w.match(m))
    if (i === -1) { inbox.push(m); if (inbox.length > INBOX_LIMIT) inbox.shift(); return }
    const [w] = waiters.splice(i, 1)
    w?.cancel()
    w?.resolve(m)
  })
  call.on('error', (err: grpc.ServiceError) => end(err.code, err.details))
  call.on('status', (s: grpc.StatusObject) => end(s.code, s.code === GRPC_OK ? null : s.details))
  call.on('end', () => { if (!ended && !call.write) end(GRPC_OK, null) })

  const handle = { cancel: () => { cancelledByUs = true; end(GRPC_CANCELLED, 'cancelled by the client'); call.cancel() } }
  const stream: GrpcStream<T> = {
    next: (match = () => true, timeoutMs = 10_000) => {
      const i = inbox.findIndex(match)
      if (i !== -1) return Promise.resolve(inbox.splice(i, 1)[0] as T)
      if (ended) return Promise.resolve(null)
      return new Promise((resolve) => {
        const w = { match, resolve, cancel: () => {} }
        w.cancel = deadlines.add(timeoutMs, () => {
          waiters.splice(waiters.indexOf(w), 1)
          owner.sink.error({ kind: 'timeout', status: 'DEADLINE_EXCEEDED', message: `no matching stream message within ${timeoutMs} ms`, endpoint: name })
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
    cancel: () => handle.cancel(),
    done,
  }
  return { stream, cancel: handle.cancel }
}

function outcome<T>(code: number, details: string | null, message: T | null, ok: boolean, duration: number): GrpcResponse<T> {
  return { ok, status: statusName(code), code, message, error: ok ? null : details ?? statusName(code), duration }
}
