/**
 * A toxic on one direction of one connection is a stage in that direction's chain: bytes come in
 * through `write`, the end of the data (the peer's FIN) through `end`, and the stage passes them
 * on to `next`, later, altered or not at all. This is Toxiproxy's ToxicStub chain
 * (`link.go`) without goroutines: Node runs one stage at a time, so re-pointing `next` to add or
 * remove a stage is atomic, where Toxiproxy has to interrupt the neighbouring toxic first.
 */

/** Where a stage sends what it passes on: the next stage, or the socket at the end of the chain. */
export interface Sink {
  write(chunk: Buffer): void
  end(): void
}

/** What a stage may do to its connection beyond passing bytes on. */
export interface StageHost {
  /** `bytes` the stage discarded: they count as dropped and no longer hold the source back. */
  drop(bytes: number): void
  /** Closes the whole connection once this direction's end reaches its socket (Toxiproxy closes both sides). */
  closeAfterEnd(): void
  /** Resets both sockets at once (TCP RST), discarding what is in flight. */
  reset(): void
}

export abstract class Stage implements Sink {
  /** Set by the link when the stage is inserted, and changed when a later stage is added or removed. */
  next: Sink = NOWHERE
  constructor(protected readonly host: StageHost) {}
  abstract write(chunk: Buffer): void
  abstract end(): void
  /** The toxic is being removed: pass on what is held, now and in order, and stop acting. */
  abstract flush(): void
  /** The connection is gone: release timers. Nothing is passed on. */
  abstract dispose(): void
}

const NOWHERE: Sink = { write() {}, end() {} }

/** An item held by a scheduled stage: a chunk, or the end of the data. */
interface Held {
  due: number
  chunk: Buffer | null
}

/**
 * A stage that releases chunks (and the end) in order, each at its due time (ms on
 * performance.now()'s clock), with one timer for the head of its queue. Latency, bandwidth,
 * slicer and slow_close differ only in the due times they give.
 */
export abstract class ScheduledStage extends Stage {
  private readonly queue: Held[] = []
  private head = 0
  private timer: NodeJS.Timeout | undefined
  private ended = false

  /** Queues a chunk (or the end, as null) for `due`; passes it on at once when due and nothing is ahead of it. */
  protected hold(chunk: Buffer | null, due: number): void {
    if (this.ended) return
    if (chunk === null) this.ended = true
    if (this.head === this.queue.length && due <= performance.now()) { this.release(chunk); return }
    this.queue.push({ due, chunk })
    if (!this.timer) this.arm()
  }

  /** Due time of the last item queued, or 0 when nothing waits. */
  protected lastDue(): number {
    return this.head < this.queue.length ? (this.queue[this.queue.length - 1] as Held).due : 0
  }

  override flush(): void {
    this.clearTimer()
    while (this.head < this.queue.length) this.release(this.shift().chunk)
  }

  override dispose(): void {
    this.clearTimer()
    this.queue.length = 0
    this.head = 0
  }

  private arm(): void {
    const first = this.queue[this.head] as Held
    // A timer may fire a fraction of a ms early (libuv's cached loop clock): such an item is due.
    this.timer = setTimeout(this.onTimer, Math.max(0, first.due - performance.now()))
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    const now = performance.now() + 0.5
    while (this.head < this.queue.length && (this.queue[this.head] as Held).due <= now) this.release(this.shift().chunk)
    if (this.head < this.queue.length) this.arm()
  }

  private shift(): Held {
    const item = this.queue[this.head++] as Held
    if (this.head === this.queue.length) { this.queue.length = 0; this.head = 0 } else if (this.head > 1024) { this.queue.splice(0, this.head); this.head = 0 }
    return item
  }

  private release(chunk: Buffer | null): void {
    if (chunk === null) this.next.end()
    else this.next.write(chunk)
  }

  private clearTimer(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined }
  }
}
