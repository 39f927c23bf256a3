/**
 * Toxics that pass every byte on, later: latency, bandwidth, slicer and slow_close, after
 * Toxiproxy's `toxics/latency.go`, `bandwidth.go`, `slicer.go` and `slow_close.go`. Each gives
 * due times to a ScheduledStage, which keeps the order of the bytes and of the end.
 */
import { ScheduledStage, type StageHost } from './stage.ts'

/**
 * Each chunk waits `latency` ± `jitter` ms from when it reached the stage, and never overtakes the
 * chunk before it (Toxiproxy handles chunks one after another). The end of the data follows the
 * last chunk without a delay of its own, as in Toxiproxy.
 */
export class LatencyStage extends ScheduledStage {
  constructor(host: StageHost, private readonly latencyMs: number, private readonly jitterMs: number) { super(host) }

  override write(chunk: Buffer): void {
    // Toxiproxy: latency + rand.Int63n(2·jitter) − jitter, in whole ms; here uniform over the same span.
    const delay = Math.max(0, this.latencyMs + (this.jitterMs > 0 ? (Math.random() * 2 - 1) * this.jitterMs : 0))
    this.hold(chunk, Math.max(this.lastDue(), performance.now() + delay))
  }

  override end(): void { this.hold(null, this.lastDue()) }
}

/**
 * At most `rate` KB/s (1 KB = 1000 bytes, so `rate` bytes per ms). A chunk is sent in slices of
 * at most 100 ms of data, each at the end of its share of time, as Toxiproxy's bandwidth toxic;
 * idle time gives no credit for a later burst.
 */
export class BandwidthStage extends ScheduledStage {
  private nextFree = 0
  private readonly slice: number
  constructor(host: StageHost, private readonly rateKBps: number) {
    super(host)
    this.slice = Math.max(1, Math.floor(rateKBps * 100))
  }

  override write(chunk: Buffer): void {
    this.nextFree = Math.max(this.nextFree, performance.now())
    for (let at = 0; at < chunk.length; at += this.slice) {
      const piece = chunk.subarray(at, Math.min(chunk.length, at + this.slice))
      this.nextFree += piece.length / this.rateKBps
      this.hold(piece, this.nextFree)
    }
  }

  override end(): void { this.hold(null, this.lastDue()) }
}

/**
 * Cuts each chunk into slices of about `averageSize` ± `sizeVariation` bytes, `delayUs` µs apart,
 * by Toxiproxy's recursive halving (`slicer.go` `chunk`), so slices vary evenly with no small one
 * at the ends. Timers have 1 ms resolution: slices due within the same ms are written together,
 * each as its own write.
 */
export class SlicerStage extends ScheduledStage {
  private nextFree = 0
  constructor(host: StageHost, private readonly averageSize: number, private readonly sizeVariation: number, private readonly delayUs: number) { super(host) }

  override write(chunk: Buffer): void {
    const cuts = this.cuts(0, chunk.length, [0])
    for (let i = 1; i < cuts.length; i++) {
      const due = Math.max(this.nextFree, performance.now())
      this.hold(chunk.subarray(cuts[i - 1] as number, cuts[i] as number), due)
      this.nextFree = due + this.delayUs / 1000
    }
  }

  override end(): void { this.hold(null, this.lastDue()) }

  /** Slice ends between start and end, appended to `out` (which starts with the first start). */
  private cuts(start: number, end: number, out: number[]): number[] {
    if (end - start - this.averageSize <= this.sizeVariation) { out.push(end); return out }
    let mid = start + Math.floor((end - start) / 2)
    if (this.sizeVariation > 0) mid += Math.floor(Math.random() * this.sizeVariation * 2) - this.sizeVariation
    this.cuts(start, mid, out)
    return this.cuts(mid, end, out)
  }
}

/** Passes the data at once and holds the end of the data (the close) for `delay` ms. */
export class SlowCloseStage extends ScheduledStage {
  constructor(host: StageHost, private readonly delayMs: number) { super(host) }
  override write(chunk: Buffer): void { this.hold(chunk, this.lastDue()) }
  override end(): void { this.hold(null, Math.max(this.lastDue(), performance.now() + this.delayMs)) }
}
