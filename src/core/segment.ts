/**
 * Execution segments, as k6 splits one load over several generators. A segment owns a fixed set
 * of `slots` in a repeating cycle of `cycle` indices: VU index or iteration index i belongs to it
 * when (i mod cycle) is one of its slots. The slots come from k6's striping
 * (`lib/execution_segment.go`, `NewExecutionSegmentSequenceWrapper`), so the segments of one
 * sequence own every index exactly once, each segment's share of any whole n is k6's
 * `ScaleInt64(n)`: shares always sum to n, never shrink as n grows, and the owned indices are
 * spread over the cycle rather than bunched. 7 VUs over 3 equal segments are 3 + 2 + 2; rate
 * 100/s over 3 starts exactly 100 iterations a second in total.
 */
import { InvalidOptionError } from '../errors.ts'
import { fraction, parseFraction, type Fraction } from './fraction.ts'

export interface Segment {
  /** Length of the repeating cycle of indices (k6's LCD of the sequence). */
  readonly cycle: number
  /** The indices of one cycle this segment owns, ascending. */
  readonly slots: readonly number[]
}

export const WHOLE: Segment = Object.freeze({ cycle: 1, slots: Object.freeze([0]) })

const masks = new WeakMap<Segment, Uint8Array>()

function maskOf(segment: Segment): Uint8Array {
  let mask = masks.get(segment)
  if (!mask) {
    mask = new Uint8Array(segment.cycle)
    for (const s of segment.slots) mask[s] = 1
    masks.set(segment, mask)
  }
  return mask
}

export function owns(segment: Segment, index: number): boolean {
  return maskOf(segment)[index % segment.cycle] === 1
}

/** How many of the indices 0..n-1 the segment owns (k6's `ScaleInt64(n)` for this segment). */
export function ownedCount(segment: Segment, n: number): number {
  const { cycle, slots } = segment
  const rest = n % cycle
  let below = 0
  while (below < slots.length && (slots[below] as number) < rest) below++
  return Math.floor(n / cycle) * slots.length + below
}

/**
 * Splits a segment into `parts` sub-segments (the workers inside one shard): the shard's owned
 * indices, in order, are dealt out round-robin, so the parts add up to exactly the shard.
 */
export function splitSegment(segment: Segment, parts: number): Segment[] {
  const out: number[][] = Array.from({ length: parts }, () => [])
  let j = 0
  for (let c = 0; c < parts; c++) {
    for (const s of segment.slots) out[j++ % parts]?.push(c * segment.cycle + s)
  }
  return out.map((slots) => ({ cycle: segment.cycle * parts, slots }))
}

/**
 * The striped segments of a whole sequence, as k6 computes them: boundaries
 * `[b0 = 0, b1, …, bk = 1]` give k segments, each owning its length's share of every cycle.
 */
export function stripeSequence(bounds: readonly Fraction[]): Segment[] {
  const lengths = bounds.slice(1).map((to, i) => fraction(to.num * (bounds[i] as Fraction).den - (bounds[i] as Fraction).num * to.den, to.den * (bounds[i] as Fraction).den))
  const cycle = lengths.reduce((acc, l) => lcm(acc, l.den), 1)
  const numerators = lengths.map((l) => l.num * (cycle / l.den))
  // Biggest segments choose first (k6 sorts stably by normalised numerator, descending): they
  // need the most indices and find it hardest to avoid neighbours.
  const order = numerators.map((n, i) => ({ n, i })).sort((a, b) => b.n - a.n)
  const chosen = order.map(() => 0)
  const slots: number[][] = numerators.map(() => [])
  for (let i = 0; i < cycle; i++) {
    for (let k = 0; k < order.length; k++) {
      const num = (chosen[k] as number) * cycle
      const den = (order[k] as { n: number }).n
      const q = Math.floor(num / den)
      if (i > q || (i === q && num % den === 0)) {
        chosen[k] = (chosen[k] as number) + 1
        slots[(order[k] as { i: number }).i]?.push(i)
        break
      }
    }
  }
  return slots.map((s) => ({ cycle, slots: s }))
}

/** Parses loadspec's `--segment 2/4` (1-based index / count of equal parts) into the second quarter. */
export function parseSegment(text: string): Segment {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  const i = m ? Number(m[1]) : NaN
  const n = m ? Number(m[2]) : NaN
  if (!m || n < 1 || i < 1 || i > n) {
    throw new InvalidOptionError('segment', `segment: ${JSON.stringify(text)} is not a segment; use INDEX/COUNT with 1 ≤ INDEX ≤ COUNT, e.g. 2/4`)
  }
  const bounds = Array.from({ length: n + 1 }, (_, k) => fraction(k, n))
  return stripeSequence(bounds)[i - 1] as Segment
}

/**
 * k6's `--execution-segment` (`1/4:2/4`, `25%:50%`, `0.5`, a bare end meaning `0:end`) within
 * `--execution-segment-sequence` (`0,1/4,1/2,1`). Without a sequence, the segment is filled out
 * with the pieces before and after it, as k6's `GetFilledExecutionSegmentSequence` does.
 */
export function parseExecutionSegment(segmentText: string, sequenceText?: string): Segment {
  const option = 'execution-segment'
  const [fromText, toText] = segmentText.includes(':') ? segmentText.split(':', 2) as [string, string] : ['0', segmentText || '1']
  const from = parseFraction(fromText, option)
  const to = parseFraction(toText, option)
  if (compare(from, fraction(0, 1)) < 0 || compare(to, fraction(1, 1)) > 0 || compare(from, to) >= 0) {
    throw new InvalidOptionError(option, `${option}: ${JSON.stringify(segmentText)} must be FROM:TO with 0 ≤ FROM < TO ≤ 1, e.g. 1/4:2/4 or 25%:50%`)
  }
  let bounds: Fraction[]
  if (sequenceText) {
    bounds = parseSequence(sequenceText)
  } else {
    bounds = [fraction(0, 1), from, to, fraction(1, 1)].filter((b, i, all) => i === 0 || compare(b, all[i - 1] as Fraction) !== 0)
  }
  if (compare(bounds[0] as Fraction, fraction(0, 1)) !== 0) bounds.unshift(fraction(0, 1))
  if (compare(bounds[bounds.length - 1] as Fraction, fraction(1, 1)) !== 0) bounds.push(fraction(1, 1))
  const index = bounds.findIndex((b, i) => i + 1 < bounds.length && compare(b, from) === 0 && compare(bounds[i + 1] as Fraction, to) === 0)
  if (index < 0) {
    throw new InvalidOptionError(option, `${option}: ${segmentText} is not one of the segments of the sequence ${bounds.map(show).join(',')}; use two neighbouring points of the sequence`)
  }
  return stripeSequence(bounds)[index] as Segment
}

function parseSequence(text: string): Fraction[] {
  const option = 'execution-segment-sequence'
  const points = text.split(',').map((p) => parseFraction(p.trim(), option))
  if (points.length < 2) throw new InvalidOptionError(option, `${option}: ${JSON.stringify(text)} needs at least 2 points, e.g. 0,1/4,1/2,1`)
  for (let i = 1; i < points.length; i++) {
    if (compare(points[i - 1] as Fraction, points[i] as Fraction) >= 0) {
      throw new InvalidOptionError(option, `${option}: ${JSON.stringify(text)} must rise from point to point between 0 and 1, e.g. 0,1/4,1/2,1`)
    }
  }
  if (compare(points[0] as Fraction, fraction(0, 1)) < 0 || compare(points[points.length - 1] as Fraction, fraction(1, 1)) > 0) {
    throw new InvalidOptionError(option, `${option}: ${JSON.stringify(text)} must lie between 0 and 1`)
  }
  return points
}

/** True when the segments together own every index exactly once; else what is missing or doubled. */
export function coverageProblem(segments: readonly Segment[]): string | null {
  const cycle = segments.reduce((acc, s) => lcm(acc, s.cycle), 1)
  const owners = new Uint16Array(cycle)
  for (const s of segments) for (let i = 0; i < cycle; i++) if (owns(s, i)) owners[i] = (owners[i] as number) + 1
  const missing = owners.reduce((n, c) => n + (c === 0 ? 1 : 0), 0)
  const doubled = owners.reduce((n, c) => n + (c > 1 ? 1 : 0), 0)
  if (!missing && !doubled) return null
  const parts = []
  if (missing) parts.push(`${missing} of every ${cycle} indices belong to no segment`)
  if (doubled) parts.push(`${doubled} of every ${cycle} indices belong to more than one segment`)
  return parts.join('; ')
}

function compare(a: Fraction, b: Fraction): number {
  return a.num * b.den - b.num * a.den
}

function show(f: Fraction): string {
  return f.den === 1 ? String(f.num) : `${f.num}/${f.den}`
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b
}
