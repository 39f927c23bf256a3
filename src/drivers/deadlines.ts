/**
 * One timer for many timeouts: 10 000 sessions each waiting for a message must not mean 10 000
 * timers. Deadlines are checked every `tickMs`; the timer runs only while something waits.
 */
export class Deadlines {
  private readonly entries = new Set<{ at: number; fire: () => void }>()
  private timer: NodeJS.Timeout | null = null
  constructor(private readonly tickMs = 25) {}

  /** Calls `fire` once at (or just after) `ms` from now unless cancelled; returns the cancel function. */
  add(ms: number, fire: () => void): () => void {
    const e = { at: performance.now() + ms, fire }
    this.entries.add(e)
    this.timer ??= setInterval(() => this.check(), this.tickMs)
    return () => { this.entries.delete(e); this.idle() }
  }

  stop(): void {
    this.entries.clear()
    this.idle()
  }

  private check(): void {
    const now = performance.now()
    for (const e of this.entries) {
      if (e.at <= now) { this.entries.delete(e); e.fire() }
    }
    this.idle()
  }

  private idle(): void {
    if (this.entries.size === 0 && this.timer) { clearInterval(this.timer); this.timer = null }
  }
}
