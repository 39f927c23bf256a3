/**
 * Counts errors by kind and status and keeps a bounded set of distinct messages, so a run with a
 * million refused connections stores one sample with count 1e6, not a million strings.
 */
import type { ErrorKind, ErrorSample } from './sink.ts'
import type { SerializedErrorSample, SerializedErrors } from './serialized.ts'
import { redactText } from '../report/redact.ts'

/** Distinct error messages kept per run per thread; later new messages are only counted. */
export const MAX_ERROR_SAMPLES = 50
const MAX_MESSAGE_LENGTH = 300
/** An exception's stack is kept to this many characters (V8 gives 10 frames by default). */
const MAX_STACK_LENGTH = 4000

interface MutableSample {
  kind: ErrorKind; status?: number | string; message: string; endpoint?: string; count: number
  firstSeen: number; lastSeen: number; stack?: string; workers?: number[]
}

export class ErrorTally {
  private total = 0
  private readonly byKind: Partial<Record<ErrorKind, number>> = {}
  private readonly byStatus: Record<string, number> = {}
  private readonly samples = new Map<string, MutableSample>()

  /** `worker`: index of the thread recording, named on the exceptions it records. */
  constructor(private readonly worker = 0) {}

  add(sample: ErrorSample): void {
    this.total++
    const now = Date.now()
    this.byKind[sample.kind] = (this.byKind[sample.kind] ?? 0) + 1
    if (sample.status !== undefined) {
      const s = String(sample.status)
      this.byStatus[s] = (this.byStatus[s] ?? 0) + 1
    }
    // Redacted here, where every error enters, so no credential reaches a result, file or terminal.
    const text = redactText(sample.message)
    const message = text.length > MAX_MESSAGE_LENGTH ? text.slice(0, MAX_MESSAGE_LENGTH) + '…' : text
    const stack = sample.stack === undefined ? undefined : redactText(sample.stack).slice(0, MAX_STACK_LENGTH)
    const key = sampleKey({ ...sample, message, ...(stack !== undefined ? { stack } : {}) })
    const known = this.samples.get(key)
    if (known) { known.count++; known.lastSeen = now }
    else if (this.samples.size < MAX_ERROR_SAMPLES) {
      const s: MutableSample = { kind: sample.kind, message, count: 1, firstSeen: now, lastSeen: now }
      if (sample.status !== undefined) s.status = sample.status
      if (sample.endpoint !== undefined) s.endpoint = sample.endpoint
      if (stack !== undefined) { s.stack = stack; s.workers = [this.worker] }
      this.samples.set(key, s)
    }
  }

  serialize(): SerializedErrors {
    return {
      total: this.total,
      byKind: { ...this.byKind },
      byStatus: { ...this.byStatus },
      samples: [...this.samples.values()].map((s) => ({ ...s, ...(s.workers ? { workers: [...s.workers] } : {}) })),
    }
  }
}

/** Merges error tallies of several workers or runs (pure). */
export function mergeErrors(parts: ReadonlyArray<SerializedErrors>): SerializedErrors {
  let total = 0
  const byKind: Partial<Record<ErrorKind, number>> = {}
  const byStatus: Record<string, number> = {}
  const samples = new Map<string, MutableSample>()
  for (const p of parts) {
    total += p.total
    for (const [k, n] of Object.entries(p.byKind) as [ErrorKind, number][]) byKind[k] = (byKind[k] ?? 0) + n
    for (const [k, n] of Object.entries(p.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + n
    for (const s of p.samples) {
      const key = sampleKey(s)
      const known = samples.get(key)
      if (!known) {
        // Results written before first/last seen were recorded have none: read as unknown (0).
        const { workers, ...rest } = s
        samples.set(key, { ...rest, firstSeen: s.firstSeen ?? 0, lastSeen: s.lastSeen ?? 0, ...(workers ? { workers: [...workers] } : {}) })
        continue
      }
      known.count += s.count
      if (s.firstSeen !== undefined && (known.firstSeen === 0 || s.firstSeen < known.firstSeen)) known.firstSeen = s.firstSeen
      if (s.lastSeen !== undefined && s.lastSeen > known.lastSeen) known.lastSeen = s.lastSeen
      if (s.workers) known.workers = [...new Set([...(known.workers ?? []), ...s.workers])].sort((a, b) => a - b)
    }
  }
  const sorted: SerializedErrorSample[] = [...samples.values()].sort((a, b) => b.count - a.count).slice(0, MAX_ERROR_SAMPLES)
  return { total, byKind, byStatus, samples: sorted }
}

/** Samples are distinct by kind, status, endpoint and message, and exceptions also by stack (as Locust keys them by traceback). */
function sampleKey(s: { kind: ErrorKind; status?: number | string | undefined; endpoint?: string | undefined; message: string; stack?: string | undefined }): string {
  return `${s.kind}\u0000${s.status ?? ''}\u0000${s.endpoint ?? ''}\u0000${s.message}\u0000${s.stack ?? ''}`
}
