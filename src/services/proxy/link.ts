/**
 * One direction of one proxied connection: bytes read from `source` go through the chain of
 * stages (the toxics of this direction that this connection drew) and are written to `dest`.
 * Toxiproxy's ToxicLink (`link.go`). Toxics are appended at the end of the chain, as there.
 *
 * Backpressure: the source is paused while the bytes it gave are still held by stages beyond
 * HIGH_WATER, or while the destination socket's buffer is full, so a slow toxic (bandwidth) or a
 * slow reader never makes the proxy buffer without bound; Toxiproxy's channels block the same way.
 */
import type { Socket } from 'node:net'
import type { Sink, Stage, StageHost } from './stage.ts'

/** Bytes a link may hold in its stages before it stops reading its source. */
const HIGH_WATER = 1024 * 1024
const LOW_WATER = HIGH_WATER / 2

/** Byte counts of one direction, over every connection of a proxy. */
export interface DirectionCounters {
  /** Read from the sending side. */
  received: number
  /** Handed to the receiving side's socket. */
  sent: number
  /** Discarded by a toxic (timeout, reset_peer, limit_data) or after the receiving side closed. */
  dropped: number
}

/** What a link asks of its connection. */
export interface LinkOwner {
  closeAfterEnd(): void
  reset(): void
  /** This direction's end reached its destination socket. */
  ended(): void
}

export class Link {
  readonly host: StageHost
  private readonly entry: { next: Sink }
  private readonly stages: { id: string; stage: Stage }[] = []
  private held = 0
  private paused = false
  private finished = false

  constructor(private readonly source: Socket, private readonly dest: Socket, private readonly counters: DirectionCounters, private readonly owner: LinkOwner) {
    this.entry = { next: { write: (chunk) => this.deliver(chunk), end: () => this.finish() } }
    this.host = { drop: (bytes) => this.discard(bytes), closeAfterEnd: () => owner.closeAfterEnd(), reset: () => owner.reset() }
    source.on('data', this.onData)
    source.on('end', () => this.entry.next.end())
    dest.on('drain', this.relieve)
  }

  /** Appends a stage for toxic `id` at the end of the chain; bytes already held before it pass through it too. */
  add(id: string, stage: Stage): void {
    const last = this.stages.at(-1)?.stage ?? this.entry
    stage.next = last.next
    last.next = stage
    this.stages.push({ id, stage })
  }

  /** Takes toxic `id`'s stage out: what it holds goes on at once, in order, and later bytes bypass it. */
  remove(id: string): void {
    const i = this.stages.findIndex((s) => s.id === id)
    if (i < 0) return
    const { stage } = this.stages[i] as { stage: Stage }
    this.stages.splice(i, 1)
    const prev = i === 0 ? this.entry : (this.stages[i - 1] as { stage: Stage }).stage
    prev.next = stage.next
    stage.flush()
  }

  has(id: string): boolean {
    return this.stages.some((s) => s.id === id)
  }

  dispose(): void {
    for (const { stage } of this.stages) stage.dispose()
    this.stages.length = 0
  }

  private readonly onData = (chunk: Buffer): void => {
    this.counters.received += chunk.length
    this.held += chunk.length
    this.entry.next.write(chunk)
    if (!this.paused && (this.held > HIGH_WATER || this.dest.writableNeedDrain)) {
      this.paused = true
      this.source.pause()
    }
  }

  private deliver(chunk: Buffer): void {
    this.held -= chunk.length
    if (this.finished || this.dest.destroyed) {
      this.counters.dropped += chunk.length
      return
    }
    this.counters.sent += chunk.length
    this.dest.write(chunk)
    if (this.paused) this.relieve()
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    if (!this.dest.destroyed) this.dest.end()
    this.owner.ended()
  }

  private discard(bytes: number): void {
    this.held -= bytes
    this.counters.dropped += bytes
    if (this.paused) this.relieve()
  }

  private readonly relieve = (): void => {
    if (this.paused && this.held <= LOW_WATER && !this.dest.writableNeedDrain && !this.source.destroyed) {
      this.paused = false
      this.source.resume()
    }
  }
}
