/**
 * What a pool worker runs: find the block's definition in the test file (loaded by the bundle),
 * rebuild the same plan as the parent, run this worker's segment, stream snapshots, return the rest.
 */
import { normalizeOptions } from '../core/normalize.ts'
import { runSegment } from '../core/run-segment.ts'
import type { PerfOptions } from '../core/options.ts'
import type { GeneratorHealth } from '../core/health.ts'
import type { MetricsRegistry } from '../metrics/registry.ts'
import type { InFlightSlotMessage, InvalidMessage, SnapshotMessage, StartedMessage, StopMessage, WorkerReply, WorkerTask } from './messages.ts'
import { lookup } from './registry.ts'
import { applyOverrides } from '../core/overrides.ts'
import { serializeError } from './error-transfer.ts'
import { InFlightTally } from './in-flight.ts'

export default async function runWorkerTask(task: WorkerTask): Promise<WorkerReply> {
  const { port } = task
  const stop = new AbortController()
  port.on('message', (m: StopMessage) => { if (m.type === 'stop') stop.abort() })
  let snapshots = 0
  try {
    const def = lookup(task.name, task.file)
    const options = applyOverrides(def.options, task.overrides) as PerfOptions<unknown>
    const plan = normalizeOptions(def.name, options, def.fn, { kind: def.kind, profile: task.profile, scale: task.scale })
    const userTypes = new Set(plan.units.flatMap((u) => u.userTypes.map((t) => t.name)))
    const tally = new InFlightTally(userTypes.size, (slot, tags) => port.postMessage({ type: 'in-flight-slot', slot, tags } satisfies InFlightSlotMessage))
    port.postMessage({ type: 'started', plannedMs: plan.maxDurationMs, inFlight: tally.buffer } satisfies StartedMessage)
    const seg = await runSegment({
      plan, segment: task.segment, data: task.data, signal: stop.signal, worker: task.worker, inFlight: tally.counter,
      onSecond: (registry, elapsedMs, health) => {
        port.postMessage(snapshotMessage(registry, elapsedMs, health))
        snapshots++
      },
      onInvalid: (message) => port.postMessage({ type: 'invalid', message } satisfies InvalidMessage),
    })
    // The registry was drained at every snapshot: its timeline holds only what none carried.
    return { type: 'result', metrics: seg.metrics, snapshots, startTime: seg.startTime, durationMs: seg.durationMs, health: seg.health, ...(seg.invalid !== undefined ? { invalid: seg.invalid } : {}) }
  } catch (err) {
    // Returned, not thrown: tinypool would pass a thrown error through structured clone, which
    // drops its class, `code` and every other own property.
    return { type: 'error', error: serializeError(err) }
  } finally {
    port.close()
  }
}

/** A snapshot of what changed: the running totals and the timeline entries closed since the last one. */
export function snapshotMessage(registry: MetricsRegistry, elapsedMs: number, health: GeneratorHealth): SnapshotMessage {
  return { type: 'snapshot', ...registry.totals(), seconds: registry.drainTimeline(), elapsedMs, health }
}
