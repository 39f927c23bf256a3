/**
 * Timeline entries as a thread that keeps a run's timeline holds them: each trend's encoded
 * histogram as bytes outside the V8 heap, read back as the base64 string of the serialised form.
 *
 * Why: the thread that keeps the timeline (the test's own with `workers: 0`, where it also runs the
 * load) holds ~4 KB of base64 a second at full speed, and V8 sizes a busy thread's old generation
 * at several times its live bytes: RSS grew ~1 MB a minute against nginx, all of it the timeline's
 * strings (docs/performance.md). As bytes off the heap a second costs ~3 KB, counted once.
 *
 * Readers see plain strings: every trend is an own enumerable getter, so `trends[name]`,
 * Object.entries, JSON.stringify and structured clone (postMessage) read it as they read a string.
 */
import type { SerializedSecond } from './serialized.ts'
import type { EncodedHistogram } from './histogram.ts'

/** The entry's bytes: not enumerable and a symbol, so no serialisation or comparison sees them. */
const BYTES = Symbol('loadspec.trendBytes')

type CompactTrends = Record<string, string> & { readonly [BYTES]: Readonly<Record<string, Buffer>> }

/** One getter per metric name, shared by every entry, so an entry holds no closure of its own. */
const getters = new Map<string, (this: CompactTrends) => string>()

function getterOf(name: string): (this: CompactTrends) => string {
  let get = getters.get(name)
  if (!get) {
    get = function (this: CompactTrends): string { return (this[BYTES][name] as Buffer).toString('base64') }
    getters.set(name, get)
  }
  return get
}

/**
 * One trend of an entry as readers that decode it want it: the bytes when the entry holds them
 * (no base64 round trip: merging 100 kept results read each of their seconds so), else the string.
 */
export function trendOf(s: SerializedSecond, name: string): EncodedHistogram | undefined {
  const held = (s.trends as Partial<CompactTrends>)[BYTES]
  return held ? held[name] : s.trends[name]
}

/** Every trend of an entry, as `trendOf` gives each. */
export function trendsOf(s: SerializedSecond): Array<[name: string, encoded: EncodedHistogram]> {
  const held = (s.trends as Partial<CompactTrends>)[BYTES]
  return held ? Object.entries(held) : Object.entries(s.trends)
}

/** True when the entry's trends are already held as bytes. */
export function isCompact(s: SerializedSecond): boolean {
  return BYTES in s.trends
}

/**
 * The same entry with its trends held as bytes (an entry that already is comes back as it is).
 * All of an entry's trends share one allocation of their own: a slice of Node's shared Buffer pool
 * would keep the whole 8 KB pool chunk alive for as long as the timeline lives.
 */
export function compactSecond(s: SerializedSecond): SerializedSecond {
  if (isCompact(s)) return s
  const names = Object.keys(s.trends)
  let total = 0
  for (const name of names) total += Buffer.byteLength(s.trends[name] as string, 'base64')
  const all = Buffer.allocUnsafeSlow(total)
  const bytes: Record<string, Buffer> = Object.create(null) as Record<string, Buffer>
  const trends = Object.defineProperty({}, BYTES, { value: bytes }) as CompactTrends
  let at = 0
  for (const name of names) {
    const n = all.write(s.trends[name] as string, at, 'base64')
    bytes[name] = all.subarray(at, at + n)
    at += n
    Object.defineProperty(trends, name, { get: getterOf(name), enumerable: true })
  }
  return { ...s, trends }
}
