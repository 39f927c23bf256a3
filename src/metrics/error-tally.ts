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

interface MutableSample { kind: ErrorKind; status?: number | string; message: string; endpoint?: string; count: number }

export class ErrorTally {
  private total = 0
  private readonly byKind: Partial<Record<ErrorKind, number>> = {}
  private readonly byStatus: Record<string, number> = {}
  private readonly samples = new Map<string, MutableSample>()

  add(sample: ErrorSample): void {
    this.total++
    this.byKind[sample.kind] = (this.byKind[sample.kind] ?? 0) + 1
    if (sample.status !== undefined) {
      const s = String(sample.status)
      this.byStatus[s] = (this.byStatus[s] ?? 0) + 1
    }
    // Redacted here, where every error enters, so no credential reaches a result, file or terminal.
    const text = redactText(sample.message)
    const message = text.length > MAX_MESSAGE_LENGTH ? text.slice(0, MAX_MESSAGE_LENGTH) + '…' : text
    const key = `${sample.kind}\u0000${sample.status ?? ''}\u0000${sample.endpoint ?? ''}\u0000${message}`
    const known = this.samples.get(key)
    if (known) known.count++
    else if (this.samples.size < MAX_ERROR_SAMPLES) {
      const s: MutableSample = { kind: sample.kind, message, count: 1 }
      if (sample.status !== undefined) s.status = sample.status
      if (sample.endpoint !== undefined) s.endpoint = sample.endpoint
      this.samples.set(key, s)
    }
  }

  serialize(): SerializedErrors {
    return {
      total: this.total,
      byKind: { ...this.byKind },
      byStatus: { ...this.byStatus },
      samples: [...this.samples.values()].map((s) => ({ ...s })),
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
      const key = `${s.kind}\u0000${s.status ?? ''}\u0000${s.endpoint ?? ''}\u0000${s.message}`
      const known = samples.get(key)
      if (known) known.count += s.count
      else samples.set(key, { ...s })
    }
  }
  const sorted: SerializedErrorSample[] = [...samples.values()].sort((a, b) => b.count - a.count).slice(0, MAX_ERROR_SAMPLES)
  return { total, byKind, byStatus, samples: sorted }
}
