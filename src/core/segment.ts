/**
 * Execution segments, as k6 splits one load over several generators: slots [start, end) of a
 * cycle of `denominator` slots. VU index or iteration index i belongs to the segment when
 * (i mod denominator) falls in its slots, so any split adds up to exactly the whole: 7 VUs over
 * 3 workers are 3 + 2 + 2, and rate 100/s over 3 workers starts exactly 100 iterations a second.
 */
import { InvalidOptionError } from '../errors.ts'
export interface Segment {
  readonly start: number
  readonly end: number
  readonly denominator: number
}

export const WHOLE: Segment = Object.freeze({ start: 0, end: 1, denominator: 1 })

export function owns(segment: Segment, index: number): boolean {
  const slot = index % segment.denominator
  return slot >= segment.start && slot < segment.end
}

/** How many of the indices 0..n-1 the segment owns. */
export function ownedCount(segment: Segment, n: number): number {
  const d = segment.denominator
  const full = Math.floor(n / d) * (segment.end - segment.start)
  const rest = n % d
  return full + Math.max(0, Math.min(rest, segment.end) - segment.start)
}

/** Splits a segment into `parts` near-equal sub-segments (workers inside one shard). */
export function splitSegment(segment: Segment, parts: number): Segment[] {
  const d = segment.denominator * parts
  const start = segment.start * parts
  const width = (segment.end - segment.start) * parts
  const out: Segment[] = []
  for (let k = 0; k < parts; k++) {
    out.push({ start: start + Math.floor((k * width) / parts), end: start + Math.floor(((k + 1) * width) / parts), denominator: d })
  }
  return out
}

/** Parses `--segment 2/4` (1-based index / count) into the second quarter. */
export function parseSegment(text: string): Segment {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  const i = m ? Number(m[1]) : NaN
  const n = m ? Number(m[2]) : NaN
  if (!m || n < 1 || i < 1 || i > n) throw new InvalidOptionError('segment', `segment: ${JSON.stringify(text)} is not a segment; use INDEX/COUNT with 1 ≤ INDEX ≤ COUNT, e.g. 2/4`)
  return { start: i - 1, end: i, denominator: n }
}
