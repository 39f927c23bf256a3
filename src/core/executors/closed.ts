/**
 * Closed-model executors with a fixed VU set: constant-vus, per-vu-iterations, shared-iterations.
 */
import type { ExecutorPlan, UnitPlan } from '../plan.ts'
import type { Runtime } from '../runtime.ts'
import { ownedCount, owns, type Segment } from '../segment.ts'
import { Vu } from '../vu.ts'
import { weightedAssignment } from '../weights.ts'
import { drain, startLoop, waitOrStop, timerOrStop, settlesWithin } from './lifecycle.ts'

type Fixed = Extract<ExecutorPlan, { kind: 'constant-vus' | 'per-vu-iterations' | 'shared-iterations' }>

/** The VUs of this segment, with global ids and user types assigned by weight. */
export function ownedVus(unit: UnitPlan, count: number, segment: Segment, rt: Runtime): Vu[] {
  const types = weightedAssignment(unit.userTypes.map((t) => t.weight), count)
  const vus: Vu[] = []
  for (let v = 0; v < count; v++) {
    if (owns(segment, v)) vus.push(new Vu(unit.vuIdOffset + v + 1, unit.userTypes[types[v] as number] as UnitPlan['userTypes'][number], rt))
  }
  rt.track(vus)
  return vus
}

export async function runFixed(unit: UnitPlan, e: Fixed, segment: Segment, rt: Runtime): Promise<void> {
  const vus = ownedVus(unit, e.vus, segment, rt)
  if (e.kind === 'constant-vus') {
    // A deadline, not only the end timer: a pacing or think-time timer due at the same moment
    // must not start one more iteration.
    const endAt = performance.now() + e.durationMs
    for (const vu of vus) startLoop(vu, rt, () => performance.now() < endAt)
    await waitOrStop(e.durationMs, rt)
  } else {
    let more: (vu: Vu) => () => boolean
    if (e.kind === 'per-vu-iterations') {
      more = () => { let left = e.iterations; return () => left-- > 0 }
    } else {
      let left = ownedCount(segment, e.iterations)
      more = () => () => left-- > 0
    }
    for (const vu of vus) startLoop(vu, rt, more(vu))
    const allDone = Promise.allSettled(vus.map((v) => v.running))
    // Iteration-count executors end when the work is done, or at maxDuration at the latest.
    const cap = timerOrStop(e.maxDurationMs, rt)
    await Promise.race([allDone, cap.done])
    cap.cancel()
    if (await settlesWithin(allDone, 0)) return
  }
  await drain(vus, unit.gracefulStopMs, rt)
}
