/**
 * HDR histogram helpers. Every latency is recorded as an integer number of microseconds with
 * 3 significant digits (error ≤ 0.1%), in plain-JS 32-bit histograms: they need no per-thread
 * WebAssembly init and cannot leak native memory when a run is aborted (platform notes).
 */
import { inflateSync } from 'node:zlib'
import { createRequire } from 'node:module'
import type * as Hdr from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'
import { InvalidResultError } from '../errors.ts'

// Only the class we build, not the package index: the index also loads the WebAssembly build,
// log reader/writer and encodings we do not use (~25 ms of every process's and worker's start;
// docs/performance.md). The whole package is loaded only to decode a foreign layout.
// Not named `require`: bundlers rewrite calls of that name, and packages must stay external.
const load = createRequire(import.meta.url)
type HistogramClass = new (lowest: number, highest: number, digits: number) => Histogram & IndexedHistogram
const Int32Histogram = (load('hdr-histogram-js/dist/Int32Histogram.js') as { default: HistogramClass }).default

export type { Histogram }

/**
 * An encoded histogram: the base64 string of the serialised form, or its bytes (a kept timeline
 * holds them so: compact-second.ts), which readers merge without a round trip through base64.
 */
export type EncodedHistogram = string | Uint8Array

/**
 * hdr-histogram-js's Int32Histogram, recording with integer arithmetic: the bucket of a value comes
 * from its leading zeros (Math.clz32) and its sub-bucket from a shift, where the library computes
 * Math.log2, Math.pow and a division on every record (an HTTP request and its iteration record 8 values;
 * docs/performance.md). The index is the library's own (tested against countsArrayIndex); values
 * outside 0 … 2^31, and values past the current range (the array grows), take the library's path.
 * Valid for the layout createHistogram() builds: lowest discernible value 1 (unit magnitude 0).
 */
class MicrosHistogram extends Int32Histogram {
  override recordValue(value: number): void {
    const magnitude = this.subBucketHalfCountMagnitude
    if (!(value >= 0 && value < 0x80000000)) { super.recordValue(value); return }
    const bucket = Math.max(31 - Math.clz32(value) - magnitude, 0)
    const index = ((bucket + 1) << magnitude) + (value >>> bucket) - this.subBucketHalfCount
    if (index >= this.countsArrayLength) { super.recordValue(value); return }
    this.incrementCountAtIndex(index)
    this.updateMinAndMax(value)
    this.incrementTotalCount()
  }
}

/** A fresh histogram for microsecond values; it grows as larger values arrive. */
export function createHistogram(): Histogram {
  // What hdr-histogram-js's build() does for { bitBucketSize: 32, autoResize: true }.
  const h = new MicrosHistogram(1, 2, 3)
  h.autoResize = true
  return h
}

/** Reused by every encoding (they are synchronous): grows to the largest histogram seen. */
let scratch = Buffer.allocUnsafe(4096)

/**
 * HdrHistogram's V2 encoding, uncompressed, in base64 (it starts "HISTEw"; Java's
 * `decodeFromByteBuffer` and our `addEncoded` read it). Not deflated: inflating one small payload
 * costs ~8 µs of zlib set-up and merging 100 results inflates thousands of them, while deflate
 * only saves ~45% of bytes that are small already (docs/performance.md). Compressed encodings
 * ("HISTFA", what earlier versions wrote) are still read.
 */
export function encodeHistogram(histogram: Histogram): string {
  const h = histogram as unknown as IndexedHistogram
  const limit = h.maxValue > 0 ? h.countsArrayIndex(h.maxValue) + 1 : 1
  const need = V2_HEADER_BYTES + limit * 5
  if (scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, scratch.length * 2))
  const b = scratch
  b.writeInt32BE(V2_COOKIE | 0x10, 0)
  b.writeInt32BE(0, 8) // normalizing index offset
  b.writeInt32BE(h.numberOfSignificantValueDigits, 12)
  b.writeBigInt64BE(BigInt(h.lowestDiscernibleValue), 16)
  b.writeBigInt64BE(BigInt(h.highestTrackableValue), 24)
  b.writeBigInt64BE(1n, 32) // integer-to-double conversion ratio
  let pos = V2_HEADER_BYTES
  let i = 0
  while (i < limit) {
    const count = h.getCountAtIndex(i++)
    let word = count
    if (count === 0) {
      let zeros = 1
      while (i < limit && h.getCountAtIndex(i) === 0) { zeros++; i++ }
      // A single zero is written as a count; a run as its negated length.
      if (zeros > 1) word = -zeros
    }
    // ZigZag, then LEB128: counts and runs stay far below 2^35, so five bytes are enough.
    let v = word >= 0 ? word * 2 : -word * 2 - 1
    while (v >= 0x80) { b[pos++] = (v % 0x80) | 0x80; v = Math.floor(v / 0x80) }
    b[pos++] = v
  }
  b.writeInt32BE(pos - V2_HEADER_BYTES, 4)
  return b.toString('base64', 0, pos)
}

/** Decodes an encoded histogram into one that can still grow (as a merge target must). */
export function decodeHistogram(encoded: EncodedHistogram): Histogram {
  const h = createHistogram()
  addEncoded(h, encoded)
  return h
}

/** Merges encoded histograms exactly (counts add bucket by bucket). */
export function mergeEncoded(encoded: ReadonlyArray<EncodedHistogram>): Histogram {
  const merged = createHistogram()
  for (const e of encoded) addEncoded(merged, e)
  return merged
}

const V2_COMPRESSED_COOKIE = 0x1c849304
const V2_COOKIE = 0x1c849303
/** cookie, payload length, normalizing offset, digits (4 bytes each), lowest, highest, ratio (8 each). */
const V2_HEADER_BYTES = 40

/** The parts of hdr-histogram-js's JsHistogram that adding counts by index needs (not in its types). */
interface IndexedHistogram {
  numberOfSignificantValueDigits: number
  lowestDiscernibleValue: number
  maxValue: number
  countsArrayIndex(value: number): number
  getCountAtIndex(index: number): number
  highestTrackableValue: number
  countsArrayLength: number
  valueFromIndex(index: number): number
  highestEquivalentValue(value: number): number
  resize(highestTrackableValue: number): void
  addToCountAtIndex(index: number, count: number): void
  addToTotalCount(count: number): void
  updateMinAndMax(value: number): void
  subBucketHalfCountMagnitude: number
  subBucketHalfCount: number
  incrementCountAtIndex(index: number): void
  incrementTotalCount(): void
}

/**
 * Adds an encoded histogram's counts to `target` without building a histogram for it: the counts
 * are read straight from the V2 encoding (zig-zag LEB128, negative = run of zeros) and added at
 * the same index, which holds the same value range because all our histograms share one layout
 * (3 digits, lowest 1). Decoding a whole histogram per part and adding it value by value made
 * merging 100 results slow (docs/performance.md). Deflated encodings of another layout take hdr-histogram-js's decoder.
 */
export function addEncoded(target: Histogram, encoded: EncodedHistogram): void {
  const t = target as unknown as IndexedHistogram
  const outer = typeof encoded === 'string' ? Buffer.from(encoded, 'base64') : viewOf(encoded)
  if (outer.length < 8) throw new InvalidResultError('Not an encoded histogram: fewer than 8 bytes')
  const cookie = outer.readInt32BE(0) & ~0xf0
  // Compressed form: a cookie, the deflated length, then deflated V2 bytes.
  const raw = cookie === V2_COMPRESSED_COOKIE ? inflateSync(outer.subarray(8, 8 + outer.readInt32BE(4))) : outer
  if ((raw.readInt32BE(0) & ~0xf0) !== V2_COOKIE) throw new InvalidResultError('Not an HdrHistogram V2 encoding (cookie mismatch)')
  const digits = raw.readInt32BE(12)
  const lowest = Number(raw.readBigInt64BE(16))
  const highest = Number(raw.readBigInt64BE(24))
  if (digits !== t.numberOfSignificantValueDigits || lowest !== 1) {
    if (cookie !== V2_COMPRESSED_COOKIE) throw new InvalidResultError(`Histogram layout not supported: ${digits} digits, lowest ${lowest}`)
    target.add(decodeOther(encoded))
    return
  }
  if (highest > t.highestTrackableValue) grow(t, highest)
  const end = V2_HEADER_BYTES + raw.readInt32BE(4)
  let pos = V2_HEADER_BYTES
  let index = 0
  let first = -1
  let last = -1
  let total = 0
  while (pos < end) {
    let v = 0
    let scale = 1
    let b: number
    do {
      b = raw[pos++] as number
      v += (b & 0x7f) * scale
      scale *= 128
    } while (b & 0x80)
    const n = v % 2 === 0 ? v / 2 : -(v + 1) / 2
    if (n < 0) { index -= n; continue }
    if (n > 0) {
      if (index >= t.countsArrayLength) grow(t, t.valueFromIndex(index))
      t.addToCountAtIndex(index, n)
      total += n
      if (first < 0) first = index
      last = index
    }
    index++
  }
  if (total === 0) return
  t.addToTotalCount(total)
  // As a decoded histogram reports them: min at the bottom of its lowest bucket, max at the top of its highest.
  t.updateMinAndMax(t.valueFromIndex(first))
  t.updateMinAndMax(t.highestEquivalentValue(t.valueFromIndex(last)))
}

/** Widens `t` to hold `value`; resize() leaves highestTrackableValue behind, which the next range check reads. */
function grow(t: IndexedHistogram, value: number): void {
  t.resize(value)
  t.highestTrackableValue = t.highestEquivalentValue(t.valueFromIndex(t.countsArrayLength - 1))
}

/** The bytes as a Buffer over the same memory (no copy), for its readInt32BE and toString. */
function viewOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** A compressed V2 encoding of another layout (not written by loadspec): decoded by hdr-histogram-js, kept growable. */
function decodeOther(encoded: EncodedHistogram): Histogram {
  const base64 = typeof encoded === 'string' ? encoded : viewOf(encoded).toString('base64')
  const h = (load('hdr-histogram-js') as typeof Hdr).decodeFromCompressedBase64(base64, 32, false)
  h.autoResize = true
  return h
}

/** Converts ms (float) to the integer µs we record; negative clock skew is clamped to 0. */
export function msToMicros(ms: number): number {
  return ms > 0 ? Math.round(ms * 1000) : 0
}
