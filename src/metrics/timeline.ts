/**
 * The run's timeline: which window a second of the run falls in, and the exact merge of timeline
 * entries (from workers, shards, or successive snapshots of one worker).
 *
 * Windows are 1 s for the first hour and coarser after it (docs/decisions.md), so a result holds a
 * bounded number of entries per hour however long the run. The width depends only on the run's
 * second, never on the run's length or the worker, so every part of a run closes the same windows
 * and their entries merge entry by entry.
 */
import type { SerializedSecond } from './serialized.ts'
import { addEncoded, createHistogram, encodeHistogram, type Histogram } from './histogram.ts'
import { compactSecond, trendsOf } from './compact-second.ts'

/**
 * `[from second, window seconds]`, in order. Each tier starts on a multiple of its own width and of
 * the width before it, so windows never straddle a tier boundary.
 */
export const WINDOW_TIERS: readonly (readonly [from: number, seconds: number])[] = [
  [0, 1],
  [3_600, 10],
  [6 * 3_600, 60],
  [24 * 3_600, 600],
]

/** The window that second `s` of the run (0-based) belongs to: its first second and its width. */
export function windowOf(s: number): { start: number; seconds: number } {
  let tier = WINDOW_TIERS[0] as readonly [number, number]
  for (const t of WINDOW_TIERS) if (s >= t[0]) tier = t
  const [from, width] = tier
  return { start: from + Math.floor((s - from) / width) * width, seconds: width }
}

/** Seconds an entry covers (1 unless it is a coarser window). */
export function secondsOf(s: SerializedSecond): number {
  return s.d ?? 1
}

/**
 * Where a timeline window ends, ms after the run's start, from its start and width in seconds
 * (a serialized entry's `t` and `d`, a TimelinePoint's `t` and `seconds`).
 */
export function windowEndMs(w: { readonly t: number }, seconds: number): number {
  return (w.t + seconds) * 1000
}

/**
 * Merges whole timelines exactly: entries with the same start add up. Each window is merged once
 * from all its parts (merging 100 shards adds 100 histograms into one, not 99 pairwise re-encodings).
 */
export function mergeTimeline(lists: ReadonlyArray<ReadonlyArray<SerializedSecond>>): SerializedSecond[] {
  const byStart = new Map<number, SerializedSecond[]>()
  for (const list of lists) {
    for (const e of list) {
      const parts = byStart.get(e.t)
      if (parts) parts.push(e)
      else byStart.set(e.t, [e])
    }
  }
  return [...byStart.keys()].sort((a, b) => a - b).map((t) => mergeSeconds(byStart.get(t) as SerializedSecond[]))
}

/**
 * A timeline assembled from parts as they arrive (each worker's newly closed windows, about once a
 * second): an entry whose start is already there merges into it, others are inserted in order.
 * Parts arrive nearly in order, so finding the place is a step or two back from the end.
 */
export class TimelineBuilder {
  private readonly list: SerializedSecond[] = []

  add(entries: ReadonlyArray<SerializedSecond>): void {
    for (const e of entries) this.addOne(e)
  }

  /** The timeline so far, ordered by start. The array is the builder's own: copy it to keep a view. */
  entries(): SerializedSecond[] {
    return this.list
  }

  get length(): number { return this.list.length }

  // Entries are kept with their trends as bytes: this is the timeline the test's thread holds for
  // the whole run (compact-second.ts).
  private addOne(e: SerializedSecond): void {
    let i = this.list.length
    while (i > 0 && (this.list[i - 1] as SerializedSecond).t > e.t) i--
    const prev = this.list[i - 1]
    if (prev && prev.t === e.t) this.list[i - 1] = compactSecond(mergeSeconds([prev, e]))
    else if (i === this.list.length) this.list.push(compactSecond(e))
    else this.list.splice(i, 0, compactSecond(e))
  }
}

/** Merges entries of the same window exactly; an entry on its own is returned as it is. */
export function mergeSeconds(seconds: ReadonlyArray<SerializedSecond>): SerializedSecond {
  const first = seconds[0] as SerializedSecond
  if (seconds.length === 1) return first
  const counters: Record<string, number> = {}
  const rates: Record<string, [number, number]> = {}
  const gauges: Record<string, number> = {}
  const hists = new Map<string, Histogram>()
  // A part that stopped early covers fewer seconds of its last window; the window covers the most.
  let d = 1
  for (const s of seconds) {
    d = Math.max(d, secondsOf(s))
    for (const [k, v] of Object.entries(s.counters)) counters[k] = (counters[k] ?? 0) + v
    for (const [k, [p, f]] of Object.entries(s.rates)) {
      const r = rates[k] ?? [0, 0]
      rates[k] = [r[0] + p, r[1] + f]
    }
    for (const [k, v] of Object.entries(s.gauges)) gauges[k] = (gauges[k] ?? 0) + v
    for (const [k, enc] of trendsOf(s)) {
      let h = hists.get(k)
      if (!h) { h = createHistogram(); hists.set(k, h) }
      addEncoded(h, enc)
    }
  }
  const trends: Record<string, string> = {}
  for (const [k, h] of hists) trends[k] = encodeHistogram(h)
  return { t: first.t, ...(d > 1 ? { d } : {}), counters, rates, gauges, trends }
}
