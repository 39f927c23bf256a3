/**
 * The test's thread's side of snapshot streaming: each worker's latest running totals, and one
 * timeline assembled from the windows every snapshot adds (workers keep none once sent), merged
 * across workers as they arrive. A worker's result travels on tinypool's port and its snapshots
 * on ours, in no set order, so the parent can wait until every snapshot a worker counted is here.
 */
import { aggregateMetrics } from '../metrics/aggregate.ts'
import { WorkerFailedError } from '../errors.ts'
import type { SerializedMetrics } from '../metrics/serialized.ts'
import { TimelineBuilder } from '../metrics/timeline.ts'
import type { SnapshotMessage } from './messages.ts'

/** A worker's running totals: every series and the error tally, without the timeline. */
export type Totals = Omit<SerializedMetrics, 'timeline'>

const NO_TOTALS: Totals = { series: [], errors: { total: 0, byKind: {}, byStatus: {}, samples: [] } }

export class LiveMerge {
  /** Each worker's latest totals (null before its first snapshot). */
  readonly latest: (Totals | null)[]
  private readonly timeline = new TimelineBuilder()
  private readonly arrived: number[]
  private readonly waiters = new Map<number, { want: number; resolve: () => void }>()

  constructor(workers: number) {
    this.latest = Array.from({ length: workers }, () => null)
    this.arrived = Array.from({ length: workers }, () => 0)
  }

  receive(worker: number, m: SnapshotMessage): void {
    this.latest[worker] = { series: m.series, errors: m.errors }
    this.timeline.add(m.seconds)
    const n = ++this.arrived[worker]!
    const w = this.waiters.get(worker)
    if (w && n >= w.want) w.resolve()
  }

  /** The merged live state, or null before any snapshot. Its timeline list is a copy: it does not grow later. */
  live(): SerializedMetrics | null {
    const parts = this.latest.filter((m): m is Totals => m !== null)
    return parts.length ? withTimeline(parts, this.timeline.entries().slice()) : null
  }

  /** Resolves once `want` snapshots of `worker` arrived; rejects after `timeoutMs` (its timeline would lack seconds). */
  async waitFor(worker: number, want: number, timeoutMs: number): Promise<void> {
    if ((this.arrived[worker] ?? 0) >= want) return
    let timer: NodeJS.Timeout | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiters.set(worker, { want, resolve })
        timer = setTimeout(() => reject(new WorkerFailedError(`${want - (this.arrived[worker] ?? 0)} of its ${want} snapshots never arrived, so its timeline is incomplete`)), timeoutMs)
      })
    } finally {
      clearTimeout(timer)
      this.waiters.delete(worker)
    }
  }

  /**
   * The run's metrics: `finals[i]` is worker i's final result (its totals and the windows no
   * snapshot carried), or null when it failed, whose latest totals and streamed windows are kept.
   */
  result(finals: readonly (SerializedMetrics | null)[]): SerializedMetrics {
    const parts: Totals[] = []
    finals.forEach((f, i) => {
      if (f) { parts.push(f); this.timeline.add(f.timeline) } else {
        const partial = this.latest[i]
        if (partial) parts.push(partial)
      }
    })
    return withTimeline(parts.length ? parts : [NO_TOTALS], this.timeline.entries())
  }
}

function withTimeline(parts: readonly Totals[], timeline: SerializedMetrics['timeline']): SerializedMetrics {
  const { series, errors } = aggregateMetrics(parts.map((p) => ({ ...p, timeline: [] })))
  return { series, timeline, errors }
}
