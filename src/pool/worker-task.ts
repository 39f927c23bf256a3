/**
 * What a pool worker runs: find the block's definition in the test file (loaded by the bundle),
 * rebuild the same plan as the parent, run this worker's segment, stream snapshots, return the rest.
 */
import { normalizeOptions } from '../core/normalize.ts'
import { runSegment } from '../core/run-segment.ts'
import type { PerfOptions } from '../core/options.ts'
import type { InFlightSlotMessage, InvalidMessage, SnapshotMessage, StartedMessage, StopMessage, WorkerReply, WorkerTask } from './messages.ts'
import { lookup } from './registry.ts'
import { applyOverrides } from '../core/overrides.ts'
import { serializeError } from './error-transfer.ts'
import { InFlightTally } from './in-flight.ts'

export default async function runWorkerTask(task: WorkerTask): Promise<WorkerReply> {
  const { port } = task
  const stop = new AbortController()
  port.on('message', (m: StopMessage) => { if (m.type === 'stop') stop.abort() })
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
        const msg: SnapshotMessage = { type: 'snapshot', metrics: registry.snapshot(), elapsedMs, health }
        port.postMessage(msg)
      },
      onInvalid: (message) => port.postMessage({ type: 'invalid', message } satisfies InvalidMessage),
    })
    return { type: 'result', metrics: seg.metrics, startTime: seg.startTime, durationMs: seg.durationMs, health: seg.health, ...(seg.invalid !== undefined ? { invalid: seg.invalid } : {}) }
  } catch (err) {
    // Returned, not thrown: tinypool would pass a thrown error through structured clone, which
    // drops its class, `code` and every other own property.
    return { type: 'error', error: serializeError(err) }
  } finally {
    port.close()
  }
}
