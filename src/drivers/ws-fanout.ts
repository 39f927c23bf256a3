/**
 * Fan-out measurement (the bidding suite's experiment 2): N sessions subscribe, one trigger fires,
 * and for the event we record how long each session took to receive it, the time until the last
 * one did, and the share that received it at all.
 */
import type { WsClient, WsConnectOptions, WsMessage, WsSession } from './ws.ts'
import type { MetricSink, Tags } from '../metrics/sink.ts'

export interface FanoutOptions extends WsConnectOptions {
  /** Sessions to open. */
  sessions: number
  /** Sent on each session right after it opens (a subscribe message), if given. */
  subscribe?: string | object
}

export interface FanoutEvent {
  /** Sessions that received the event before the timeout. */
  readonly delivered: number
  readonly total: number
  /** Delivery latency per receiving session, ms from the trigger. */
  readonly latencies: readonly number[]
  /** Time until the last session received it (null when not all did). */
  readonly completeMs: number | null
}

export interface Fanout {
  /** Sessions that opened. */
  readonly sessions: readonly WsSession[]
  /**
   * Starts `trigger` and waits until every session received a message matching `match`, or
   * `timeoutMs` passed. Records `ws_fanout_latency` (per receipt), `ws_fanout_complete` and the
   * `ws_fanout_delivered` rate (one sample per session).
   */
  measure(trigger: () => unknown, match: (m: WsMessage) => boolean, timeoutMs?: number): Promise<FanoutEvent>
  close(): Promise<void>
}

/**
 * Opens through `openers` loops (the driver's handshake bound) that each open one session after
 * the other, not N pending opens at once whose garbage would raise the memory the generator keeps
 * for the rest of the run (docs/performance.md).
 */
export async function openFanout(ws: WsClient, sink: MetricSink, tags: Tags, url: string, o: FanoutOptions, openers: number): Promise<Fanout> {
  const opened: WsSession[] = new Array<WsSession>(o.sessions)
  let next = 0
  const opener = async () => { while (next < o.sessions) { const i = next++; opened[i] = await ws.connect(url, o) } }
  await Promise.all(Array.from({ length: Math.min(openers, o.sessions) }, opener))
  const sessions = opened.filter((s) => s.ok)
  if (o.subscribe !== undefined) for (const s of sessions) s.send(o.subscribe)
  const latency = sink.trend('ws_fanout_latency', tags)
  const complete = sink.trend('ws_fanout_complete', tags)
  const delivered = sink.rate('ws_fanout_delivered', tags)
  return {
    sessions,
    async measure(trigger, match, timeoutMs = 10_000) {
      // Listen before triggering, so a fast broadcast is not missed; the clock starts after that
      // set-up (10 000 waiters take milliseconds), at the trigger, which no message can precede.
      const waits = sessions.map((s) => s.next(match, timeoutMs))
      const t0 = performance.now()
      await trigger()
      const got = await Promise.all(waits)
      const latencies: number[] = []
      for (const m of got) {
        delivered.add(m !== null)
        if (m) { latencies.push(m.at - t0); latency.add(m.at - t0) }
      }
      // Sessions that failed to open never got the event either.
      for (let i = sessions.length; i < o.sessions; i++) delivered.add(false)
      const all = latencies.length === o.sessions
      const completeMs = all ? Math.max(...latencies) : null
      if (completeMs !== null) complete.add(completeMs)
      return { delivered: latencies.length, total: o.sessions, latencies, completeMs }
    },
    async close() { await Promise.all(sessions.map((s) => s.close())) },
  }
}
