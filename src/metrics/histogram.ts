/**
 * HDR histogram helpers. Every latency is recorded as an integer number of microseconds with
 * 3 significant digits (error ≤ 0.1%), in plain-JS 32-bit histograms: they need no per-thread
 * WebAssembly init and cannot leak native memory when a run is aborted (platform notes).
 */
import hdr from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'

export type { Histogram }

/** A fresh histogram for microsecond values; it grows as larger values arrive. */
export function createHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  })
}

/** Compressed base64, the form histograms cross threads and files in (as autocannon does). */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram)
}

/** Decodes a histogram that can still grow: decoding turns autoResize off, and a merge target with a
 * narrower range than what is added to it would otherwise throw. */
export function decodeHistogram(encoded: string): Histogram {
  const h = hdr.decodeFromCompressedBase64(encoded, 32, false)
  h.autoResize = true
  return h
}

/** Merges encoded histograms exactly (counts add bucket by bucket). */
export function mergeEncoded(encoded: ReadonlyArray<string>): Histogram {
  const merged = createHistogram()
  for (const e of encoded) merged.add(decodeHistogram(e))
  return merged
}

/** Converts ms (float) to the integer µs we record; negative clock skew is clamped to 0. */
export function msToMicros(ms: number): number {
  return ms > 0 ? Math.round(ms * 1000) : 0
}
