/** Runs one unit (executor + user types) of a plan for one segment in this thread. */
import type { UnitPlan } from '../plan.ts'
import type { Runtime } from '../runtime.ts'
import type { Segment } from '../segment.ts'
import { runFixed } from './closed.ts'
import { runRampingVus } from './ramping-vus.ts'
import { runArrivalRate } from './arrival-rate.ts'
import { waitOrStop } from './lifecycle.ts'

export async function runUnit(unit: UnitPlan, segment: Segment, rt: Runtime): Promise<void> {
  if (unit.startTimeMs > 0) await waitOrStop(unit.startTimeMs, rt)
  if (rt.stopped) return
  const e = unit.executor
  switch (e.kind) {
    case 'constant-vus': case 'per-vu-iterations': case 'shared-iterations': return runFixed(unit, e, segment, rt)
    case 'ramping-vus': return runRampingVus(unit, e, segment, rt)
    case 'constant-arrival-rate': case 'ramping-arrival-rate': return runArrivalRate(unit, e, segment, rt)
  }
}
