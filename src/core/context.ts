/**
 * The VU context: the first argument of every VU function. One object per VU, made once; nothing
 * here is allocated per iteration except what the user's own calls need.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { HttpClient } from '../drivers/http.ts'
import type { WsClient } from '../drivers/ws.ts'
import type { GrpcVuClient } from '../drivers/grpc.ts'
import type { MetricSink, RateHandle, Tags } from '../metrics/sink.ts'
import type { VuState } from './vu-state.ts'
import { pickWeighted } from './weights.ts'
import { UsageError } from '../errors.ts'

/** Custom metrics with k6's method names. */
export interface CustomMetrics {
  /** A latency-like metric (ms) with percentiles. */
  trend(name: string): { add(ms: number, tags?: Record<string, string>): void }
  counter(name: string): { add(n?: number, tags?: Record<string, string>): void }
  rate(name: string): { add(value: boolean, tags?: Record<string, string>): void }
  gauge(name: string): { add(value: number, tags?: Record<string, string>): void }
}

export interface VuContext<D = unknown> {
  /** HTTP client (a keep-alive connection per VU and origin); failures are returned and counted, not thrown. */
  readonly http: HttpClient
  /** WebSocket client: `ws.connect(url)` → session with send / next / request / close. */
  readonly ws: WsClient
  /** gRPC: `grpc.client(protoPath, { address, service })` → unary and streaming calls. */
  readonly grpc: GrpcVuClient
  /**
   * Evaluates named predicates and records each in the `checks` rate (tag `check`).
   * @returns true when every predicate passed.
   */
  check<T>(value: T, checks: Record<string, (value: T) => boolean>, tags?: Record<string, string>): boolean
  /** Think time in seconds, as k6: `sleep(1)` or uniform `sleep([1, 3])`. Ends early when the VU stops. */
  sleep(seconds: number | readonly [number, number]): Promise<void>
  /** Weighted random choice of a task: `pick({ send: 3, get: 2 })` → 'send' 60% of the time. */
  pick<K extends string>(weights: Readonly<Record<K, number>>): K
  readonly metrics: CustomMetrics
  readonly vu: { readonly id: number; readonly iteration: number; readonly scenario: string }
  /** This VU's own object, kept across its iterations (a login token, a session, counters). */
  readonly state: Record<string, unknown>
  /** The JSON-safe result of `setup()` (or `data` option). Shared: treat as read-only. */
  readonly data: D
  /** Aborts when this VU must stop (end of gracefulStop, test abort). */
  readonly signal: AbortSignal
}

/** Makers of a VU's protocol clients, called on the VU's first use of each. */
export interface VuClientMakers {
  http(): HttpClient
  ws(): WsClient
  grpc(): GrpcVuClient
}

export function createVuContext<D>(state: VuState, clients: VuClientMakers, sink: MetricSink, data: D, baseTags: Tags): VuContext<D> {
  // Clients and caches are made on first use: a VU holds only what its scenario touches (a
  // WebSocket-only VU has no HTTP or gRPC client; docs/performance.md).
  let http: HttpClient | undefined
  let ws: WsClient | undefined
  let grpc: GrpcVuClient | undefined
  let checkHandles: Map<string, RateHandle> | undefined
  const withScenario = (tags?: Record<string, string>): Tags => ({ ...baseTags, ...tags })
  const custom = <H>(make: (name: string, tags: Tags) => H) => {
    let cache: Map<string, H> | undefined
    return (name: string) => {
      let base = cache?.get(name)
      if (!base) { base = make(name, baseTags); (cache ??= new Map()).set(name, base) }
      return { base, extra: (tags: Record<string, string>) => make(name, withScenario(tags)) }
    }
  }
  const trends = custom((n, t) => sink.trend(n, t))
  const counters = custom((n, t) => sink.counter(n, t))
  const rates = custom((n, t) => sink.rate(n, t))
  const gauges = custom((n, t) => sink.gauge(n, t))

  return {
    get http() { return (http ??= clients.http()) },
    get ws() { return (ws ??= clients.ws()) },
    get grpc() { return (grpc ??= clients.grpc()) },
    check(value, checks, tags) {
      let all = true
      for (const label in checks) {
        let ok: boolean
        try { ok = (checks[label] as (v: typeof value) => boolean)(value) === true } catch { ok = false }
        let h = tags ? undefined : checkHandles?.get(label)
        if (!h) {
          h = sink.rate('checks', withScenario({ ...tags, check: label }))
          if (!tags) (checkHandles ??= new Map()).set(label, h)
        }
        h.add(ok)
        if (!ok) all = false
      }
      return all
    },
    sleep(seconds) {
      const s = Array.isArray(seconds) ? (seconds[0] as number) + Math.random() * ((seconds[1] as number) - (seconds[0] as number)) : (seconds as number)
      if (!Number.isFinite(s) || s < 0 || (Array.isArray(seconds) && (seconds.length !== 2 || (seconds[1] as number) < (seconds[0] as number)))) {
        throw new UsageError(`sleep(): expected seconds ≥ 0 or [min, max] with min ≤ max; got ${JSON.stringify(seconds)}`)
      }
      return delay(s * 1000, undefined, { signal: state.signal })
    },
    pick: (weights) => pickWeighted(weights),
    metrics: {
      trend: (name) => { const m = trends(name); return { add: (ms, tags) => (tags ? m.extra(tags) : m.base).add(ms) } },
      counter: (name) => { const m = counters(name); return { add: (n = 1, tags) => (tags ? m.extra(tags) : m.base).add(n) } },
      rate: (name) => { const m = rates(name); return { add: (v, tags) => (tags ? m.extra(tags) : m.base).add(v) } },
      gauge: (name) => { const m = gauges(name); return { add: (v, tags) => (tags ? m.extra(tags) : m.base).add(v) } },
    },
    vu: state,
    state: {},
    data,
    get signal() { return state.signal },
  }
}
