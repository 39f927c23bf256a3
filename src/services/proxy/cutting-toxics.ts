/**
 * Toxics that cut the connection: timeout, reset_peer and limit_data, after Toxiproxy's
 * `toxics/timeout.go`, `reset_peer.go` and `limit_data.go`.
 */
import { Stage, type StageHost } from './stage.ts'

/**
 * Drops every byte; after `timeout` ms closes the connection (0: never, the connection hangs, as
 * Toxiproxy). Removing the toxic from a connection whose bytes it dropped closes that connection,
 * as Toxiproxy's cleanup does: its stream has a hole and cannot go on. One that lost nothing
 * carries on.
 */
export class TimeoutStage extends Stage {
  private timer: NodeJS.Timeout | undefined
  private dropped = false
  private done = false

  constructor(host: StageHost, timeoutMs: number) {
    super(host)
    if (timeoutMs > 0) this.timer = setTimeout(() => { this.timer = undefined; this.close() }, timeoutMs)
  }

  override write(chunk: Buffer): void {
    this.dropped = true
    this.host.drop(chunk.length)
  }

  /** The peer's end passes on, as in Toxiproxy (a nil chunk closes the stub's output). */
  override end(): void {
    this.clear()
    if (this.done) return
    this.done = true
    this.next.end()
  }

  override flush(): void {
    this.clear()
    if (this.dropped) this.close()
  }

  override dispose(): void { this.clear() }

  private close(): void {
    if (this.done) return
    this.done = true
    this.host.closeAfterEnd()
    this.next.end()
  }

  private clear(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined }
  }
}

/**
 * On the first data (or the end) in its direction: drops it and, `timeout` ms later, resets both
 * sockets (RST, Node's `resetAndDestroy`; Toxiproxy sets SO_LINGER 0 and closes). Removing the
 * toxic while a reset is pending resets at once: the dropped bytes cannot be given back.
 */
export class ResetPeerStage extends Stage {
  private timer: NodeJS.Timeout | undefined
  private armed = false
  constructor(host: StageHost, private readonly timeoutMs: number) { super(host) }

  override write(chunk: Buffer): void {
    this.host.drop(chunk.length)
    this.arm()
  }

  override end(): void { this.arm() }

  override flush(): void {
    if (this.armed) this.fire()
  }

  override dispose(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined }
  }

  private arm(): void {
    if (this.armed) return
    this.armed = true
    if (this.timeoutMs === 0) this.fire()
    else this.timer = setTimeout(() => this.fire(), this.timeoutMs)
  }

  private fire(): void {
    this.dispose()
    this.host.reset()
  }
}

/**
 * Passes the first `bytes` bytes this connection sends in its direction after the toxic was
 * added, then closes the connection (both sides, as Toxiproxy); what follows is dropped.
 */
export class LimitDataStage extends Stage {
  private remaining: number
  private closed = false
  constructor(host: StageHost, bytes: number) {
    super(host)
    this.remaining = bytes
  }

  override write(chunk: Buffer): void {
    if (this.closed) { this.host.drop(chunk.length); return }
    if (chunk.length <= this.remaining) {
      this.remaining -= chunk.length
      this.next.write(chunk)
    } else {
      const kept = this.remaining
      this.remaining = 0
      if (kept > 0) this.next.write(chunk.subarray(0, kept))
      this.host.drop(chunk.length - kept)
    }
    // Toxiproxy closes once the limit is reached, not on the next byte.
    if (this.remaining === 0) this.close()
  }

  override end(): void {
    if (this.closed) return
    this.closed = true
    this.next.end()
  }

  override flush(): void {}
  override dispose(): void {}

  private close(): void {
    this.closed = true
    this.host.closeAfterEnd()
    this.next.end()
  }
}
