/**
 * Publishes accepted bids on NATS without ever making a bidder wait for NATS. A bid is handed over
 * and the HTTP answer goes out at once; publishing happens behind it. While NATS is unreachable (or
 * a publish gets no JetStream ack) bids wait here, in order, up to `limit`; past it the oldest are
 * dropped and counted as lost. On reconnect the buffer is flushed. A bid sent twice (ack lost, then
 * retried) is stored once, since its `msgID` is the bid id and the stream drops duplicates.
 */
import type { NatsConnection } from '@nats-io/transport-node'
import { jetstream, type JetStreamClient } from '@nats-io/jetstream'
import type { AcceptedBid } from './bid-store.ts'
import { BID_SUBJECT_PREFIX } from './nats-setup.ts'

/** What `GET /stats` reports about publishing. */
export interface OutboxStats {
  /** Bids JetStream acknowledged. */
  readonly published: number
  /** Bids that had to wait for NATS at least once. */
  readonly buffered: number
  /** Bids waiting now. */
  readonly pending: number
  /** Buffered bids published later. */
  readonly flushed: number
  /** Bids dropped because the buffer was full: they reach neither viewers nor the archive. */
  readonly lost: number
  readonly natsConnected: boolean
}

export class BidOutbox {
  private readonly js: JetStreamClient
  private readonly queue: AcceptedBid[] = []
  private readonly waited = new Set<number>()
  private connected = true
  private flushing = false
  private closed = false
  private published = 0
  private buffered = 0
  private flushed = 0
  private lost = 0

  private readonly nc: NatsConnection
  private readonly limit: number

  constructor(nc: NatsConnection, limit: number) {
    this.nc = nc
    this.limit = limit
    // Short ack timeout: a publish into a dead connection should fall back to the buffer quickly.
    this.js = jetstream(nc, { timeout: 2_000 })
    void this.watch()
  }

  /** Queues a bid for publishing; never throws, never waits. */
  add(bid: AcceptedBid): void {
    if (this.queue.length >= this.limit) {
      const dropped = this.queue.shift()
      if (dropped) { this.waited.delete(dropped.id); this.lost++ }
    }
    this.queue.push(bid)
    if (!this.connected) this.markWaiting(bid)
    void this.flush()
  }

  stats(): OutboxStats {
    return { published: this.published, buffered: this.buffered, pending: this.queue.length, flushed: this.flushed, lost: this.lost, natsConnected: this.connected }
  }

  close(): void { this.closed = true }

  private markWaiting(bid: AcceptedBid): void {
    if (this.waited.has(bid.id)) return
    this.waited.add(bid.id)
    this.buffered++
  }

  // One flusher at a time keeps the order of publishing the order of acceptance, and stops at the
  // first failure so a dead connection is not handed thousands of doomed requests.
  private async flush(): Promise<void> {
    if (this.flushing || !this.connected || this.closed) return
    this.flushing = true
    try {
      while (this.queue.length > 0 && this.connected && !this.closed) {
        const batch = this.queue.slice(0, 64)
        const results = await Promise.allSettled(batch.map((b) =>
          this.js.publish(`${BID_SUBJECT_PREFIX}${b.item}`, JSON.stringify(b), { msgID: String(b.id) })))
        let done = 0
        for (const r of results) { if (r.status !== 'fulfilled') break; done++ }
        for (const b of this.queue.splice(0, done)) {
          this.published++
          if (this.waited.delete(b.id)) this.flushed++
        }
        if (done < batch.length) {
          // Everything from the first failure on waits for the next reconnect (or the retry below).
          for (const b of this.queue.slice(0, batch.length - done)) this.markWaiting(b)
          setTimeout(() => void this.flush(), 500).unref()
          return
        }
      }
    } finally {
      this.flushing = false
    }
  }

  private async watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') {
        this.connected = false
        for (const b of this.queue) this.markWaiting(b)
      } else if (s.type === 'reconnect') {
        this.connected = true
        void this.flush()
      }
    }
  }
}
