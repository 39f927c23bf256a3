/** Public types of the HTTP driver: what a VU passes and gets back. */
import type { Readable } from 'node:stream'
import type { ErrorKind } from '../metrics/sink.ts'

export interface HttpRequestOptions {
  headers?: Record<string, string>
  /** Serialised as JSON with `content-type: application/json`. */
  json?: unknown
  /** Request body; streams and async iterables are streamed. */
  body?: string | Uint8Array | Readable | AsyncIterable<Uint8Array>
  query?: Record<string, string | number | boolean>
  /** The `name` tag that groups requests; default: method + path with ids collapsed. */
  name?: string
  /** Extra tags on every metric of this request. */
  tags?: Record<string, string>
  /**
   * Per-request timeout in ms over the whole exchange, as k6's: waiting for a connection, sending,
   * the response head and the whole body. A request past it fails with `errorKind: 'timeout'` and
   * is counted. @default the driver's (60 000)
   */
  timeout?: number
  /** Statuses that count as success. @default 200–399, as k6 */
  expectedStatuses?: ReadonlyArray<number | { min: number; max: number }>
  /** Throw HttpRequestError on failure instead of returning it. @default false */
  throw?: boolean
  /** Keep the body as text (default), bytes, or not at all (bytes are still counted). */
  responseType?: 'text' | 'binary' | 'none'
}

export interface HttpTimings {
  /**
   * Waiting for a connected socket: pool queue plus, for a new connection, its TCP connect (ms).
   * Connect time itself is the `http_req_connecting` metric, one sample per new connection.
   */
  readonly blocked: number
  readonly sending: number
  /** Time to first response byte after the request was sent. */
  readonly waiting: number
  readonly receiving: number
  /** sending + waiting + receiving, as k6's http_req_duration. */
  readonly duration: number
}

export interface HttpResponse {
  /** 0 when there was no response (refused, reset, timeout, aborted). */
  readonly status: number
  /** Status expected and no error. */
  readonly ok: boolean
  readonly headers: Readonly<Record<string, string | string[]>>
  /** Body decoded as UTF-8 on first read; '' when not kept. */
  readonly body: string
  readonly bodyBytes: Uint8Array | null
  json<T = unknown>(): T
  readonly timings: HttpTimings
  readonly error: string | null
  readonly errorKind: ErrorKind | null
  readonly name: string
  readonly url: string
}

export interface HttpClient {
  request(method: string, url: string, options?: HttpRequestOptions): Promise<HttpResponse>
  get(url: string, options?: HttpRequestOptions): Promise<HttpResponse>
  post(url: string, options?: HttpRequestOptions): Promise<HttpResponse>
  put(url: string, options?: HttpRequestOptions): Promise<HttpResponse>
  patch(url: string, options?: HttpRequestOptions): Promise<HttpResponse>
  delete(url: string, options?: HttpRequestOptions): Promise<HttpResponse>
  head(url: string, options?: HttpRequestOptions): Promise<HttpResponse>
}
