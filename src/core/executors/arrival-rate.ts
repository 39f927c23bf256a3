/**
 * constant-arrival-rate and ramping-arrival-rate: the open model. Iteration i is due at a fixed
 * time whatever the server does; a free VU starts it (the lag behind its schedule is recorded and
 * added to latencies measured from the schedule), a new VU is allocated up to maxVUs, and when
 * none is left the iteration is dropped and counted, as k6 does. One timer drives the schedule.
 */
import type { ExecutorPlan, UnitPlan, UserTypePlan } from '../plan.ts'
import type { Runtime } from '../runtime.ts'
import { ownedCount, owns, type Segment } from '../segment.ts'
import { Vu } from '../vu.ts'
import { WeightedSequence } from '../weights.ts'
import { drain, timerOrStop } from './lifecycle.ts'
import { arrivalTime, iterationsBy, makeRamp, scheduledIterations } from './ramp.ts'

type ArrivalRate = Extract<ExecutorPlan, { kind: 'constant-arrival-rate' | 'ramping-arrival-rate' }>

export async function runArrivalRate(unit: UnitPlan, e: ArrivalRate, segment: Segment, rt: Runtime): Promise<void> {
  const ramp = e.kind === 'constant-arrival-rate'
    ? makeRamp(e.ratePerSec, [{ durationMs: e.durationMs, target: e.ratePerSec }])
    : makeRamp(e.startRatePerSec, e.stages)
  // Global iteration k (0-based, the index segments own) is due at timeOf(k). The two executors
  // differ as in k6: constant-arrival-rate starts one at 0 and every 1/rate after, up to the end;
  // ramping-arrival-rate starts iteration k + 1 when the area under its rate curve reaches k + 1.
  const total = e.kind === 'constant-arrival-rate' ? Math.ceil(iterationsBy(ramp, ramp.totalMs) - 1e-9) : scheduledIterations(ramp)
  const timeOf = e.kind === 'constant-arrival-rate' ? (k: number) => (k * 1000) / e.ratePerSec : (k: number) => arrivalTime(ramp, k + 1)

  // VU ids: the unit's global VU indices this segment owns, handed out as VUs are allocated.
  const ids: number[] = []
  for (let v = 0; v < e.maxVUs; v++) if (owns(segment, v)) ids.push(unit.vuIdOffset + v + 1)
  const maxVUs = ids.length
  const idle = unit.userTypes.map(() => [] as Vu[])
  const all: Vu[] = []
  const allocate = (type: number): Vu | null => {
    const id = ids[all.length]
    if (id === undefined) return null
    const vu = new Vu(id, unit.userTypes[type] as UserTypePlan, rt)
    all.push(vu)
    rt.track([vu])
    return vu
  }
  const pre = ownedCount(segment, e.preAllocatedVUs)
  const preSeq = new WeightedSequence(unit.userTypes.map((t) => t.weight))
  for (let k = 0; k < pre; k++) { const type = preSeq.next(); const vu = allocate(type); if (vu) idle[type]?.push(vu) }

  const inFlight = new Set<Promise<void>>()
  const start = (vu: Vu, type: number, due: number) => {
    rt.vuActive(1)
    const p: Promise<void> = vu.iterate(due).finally(() => {
      rt.vuActive(-1)
      inFlight.delete(p)
      vu.running = null
      if (!rt.stopped) idle[type]?.push(vu)
    })
    vu.running = p
    inFlight.add(p)
  }

  const typeSeq = new WeightedSequence(unit.userTypes.map((t) => t.weight))
  let next = 0
  let nextType = typeSeq.next()
  let nextDue = timeOf(0)
  const t0 = performance.now()
  while (next < total && !rt.stopped) {
    const now = performance.now() - t0
    while (next < total && nextDue <= now) {
      if (owns(segment, next)) {
        const vu = idle[nextType]?.pop() ?? (all.length < maxVUs ? allocate(nextType) : null)
        if (vu) start(vu, nextType, nextDue + (t0 - rt.t0))
        else rt.iterationHandles(unit.userTypes[nextType] as UserTypePlan).dropped.add(1)
      }
      next++
      nextType = typeSeq.next()
      nextDue = timeOf(next)
    }
    // Skip ahead to this segment's next iteration, so workers do not wake for others' work.
    while (next < total && !owns(segment, next)) { next++; nextType = typeSeq.next(); nextDue = timeOf(next) }
    if (next >= total) break
    const wait = timerOrStop(nextDue - (performance.now() - t0), rt)
    await wait.done
  }
  const end = timerOrStop(ramp.totalMs - (performance.now() - t0), rt)
  await end.done
  await drain(all, unit.gracefulStopMs, rt, [...inFlight])
}
