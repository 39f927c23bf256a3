/**
 * Iterations in progress, counted per user type in shared memory. A worker whose VU never
 * yields (a busy loop) cannot answer any message, so the parent reads these counts itself when
 * it terminates the worker at its hard deadline, and counts them as interrupted iterations.
 */
import type { SerializedSeries } from '../metrics/serialized.ts'
import { seriesKey } from '../metrics/series-key.ts'

type Tags = Readonly<Record<string, string>>

/** Worker side: one Int32 slot per user type's tag set, announced to the parent on first use. */
export class InFlightTally {
  readonly buffer: SharedArrayBuffer
  private readonly counts: Int32Array
  private readonly slots = new Map<string, number>()

  /** `size`: user types of the plan (one slot each); `announce` tells the parent a slot's tags. */
  constructor(size: number, private readonly announce: (slot: number, tags: Tags) => void) {
    this.buffer = new SharedArrayBuffer(Math.max(1, size) * Int32Array.BYTES_PER_ELEMENT)
    this.counts = new Int32Array(this.buffer)
  }

  /** The counter a user type's iterations add to (±1); the Runtime asks once per user type. */
  readonly counter = (tags: Tags): ((delta: 1 | -1) => void) => {
    const key = seriesKey('', tags)
    let slot = this.slots.get(key)
    if (slot === undefined) {
      slot = this.slots.size
      // More tag sets than the plan has user types cannot happen; if it did, they go uncounted.
      if (slot >= this.counts.length) return () => {}
      this.slots.set(key, slot)
      this.announce(slot, tags)
    }
    const counts = this.counts
    const i = slot
    return (delta) => { Atomics.add(counts, i, delta) }
  }
}

/** Parent side: reads a worker's counts, whatever that worker's thread is doing. */
export class InFlightReader {
  private readonly counts: Int32Array
  private readonly tags = new Map<number, Tags>()

  constructor(buffer: SharedArrayBuffer) { this.counts = new Int32Array(buffer) }

  slot(slot: number, tags: Tags): void { this.tags.set(slot, tags) }

  /** The iterations in progress now, as `iterations_interrupted` counter series. */
  interrupted(): SerializedSeries[] {
    const out: SerializedSeries[] = []
    for (const [slot, tags] of this.tags) {
      const n = Atomics.load(this.counts, slot)
      if (n > 0) out.push({ name: 'iterations_interrupted', type: 'counter', tags, count: n, sum: n, min: 0, max: 0 })
    }
    return out
  }
}
