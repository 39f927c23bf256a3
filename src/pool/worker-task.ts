/**
 * What a pool worker runs: find the block's definition in the test file (loaded by the bundle),
 * rebuild the same plan as the parent, run this worker's segment, stream snapshots, return the rest.
 */
import { normalizeOptions } from '../core/normalize.ts'
import { runSegment } from '../core/run-segment.ts'
import type { PerfOptions } from '../core/options.ts'
import type { GeneratorHealth } from '../core/health.ts'
import type { MetricsRegistry } from '../metrics/registry.ts'
import type { SnapshotMessage, StopMessage, WorkerResult, WorkerTask } from './messages.ts'
import { lookup } from './registry.ts'

export default async function runWorkerTask(task: WorkerTask): Promise<WorkerResult> {
  const { port } = task
  const stop = new AbortController()
  port.on('message', (m: StopMessage) => { if (m.type === 'stop') stop.abort() })
  let snapshots = 0
  try {
    const def = lookup(task.name, task.file)
    const options = { ...def.options, ...task.overrides } as PerfOptions<unknown>
    const plan = normalizeOptions(def.name, options, def.fn, { kind: def.kind, profile: task.profile, scale: task.scale })
    const seg = await runSegment({
      plan, segment: task.segment, data: task.data, signal: stop.signal, worker: task.worker,
      onSecond: (registry, elapsedMs, health) => {
        port.postMessage(snapshotMessage(registry, elapsedMs, health))
        snapshots++
      },
    })
    // The registry was drained at every snapshot: its timeline holds only what none carried.
    return { metrics: seg.metrics, snapshots, startTime: seg.startTime, durationMs: seg.durationMs, health: seg.health }
  } finally {
    port.close()
  }
}

/** A snapshot of what changed: the running totals and the timeline entries closed since the last one. */
export function snapshotMessage(registry: MetricsRegistry, elapsedMs: number, health: GeneratorHealth): SnapshotMessage {
  return { type: 'snapshot', ...registry.totals(), seconds: registry.drainTimeline(), elapsedMs, health }
}
