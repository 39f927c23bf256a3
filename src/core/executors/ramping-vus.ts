/**
 * ramping-vus: the VU count follows the stages. VU i of the unit runs while the target exceeds i;
 * a VU removed by a ramp-down finishes its iteration within gracefulRampDown, then is interrupted.
 */
import type { ExecutorPlan, UnitPlan } from '../plan.ts'
import type { Runtime } from '../runtime.ts'
import { owns, type Segment } from '../segment.ts'
import type { Vu } from '../vu.ts'
import { ownedVus } from './closed.ts'
import { drain, startLoop, timerOrStop } from './lifecycle.ts'
import { makeRamp, nextVuChange, vuTargetAt } from './ramp.ts'

type RampingVus = Extract<ExecutorPlan, { kind: 'ramping-vus' }>

export async function runRampingVus(unit: UnitPlan, e: RampingVus, segment: Segment, rt: Runtime): Promise<void> {
  const ramp = makeRamp(e.startVUs, e.stages)
  const max = Math.max(e.startVUs, ...e.stages.map((s) => s.target))
  const vus = ownedVus(unit, max, segment, rt)
  const byIndex = new Map<number, Vu>()
  for (const vu of vus) byIndex.set(vu.state.id - unit.vuIdOffset - 1, vu)
  const rampDownTimers = new Map<Vu, NodeJS.Timeout>()
  const started = performance.now()
  const beforeEnd = () => performance.now() - started < ramp.totalMs

  const reconcile = (target: number) => {
    for (const [index, vu] of byIndex) {
      if (!owns(segment, index)) continue
      if (index < target) {
        const t = rampDownTimers.get(vu)
        if (t) { clearTimeout(t); rampDownTimers.delete(vu) }
        if (vu.interrupted) continue
        vu.stopRequested = false
        if (!vu.running) startLoop(vu, rt, beforeEnd)
      } else if (vu.running && !vu.stopRequested) {
        vu.stopRequested = true
        const t = setTimeout(() => { rampDownTimers.delete(vu); vu.interrupt() }, e.gracefulRampDownMs)
        rampDownTimers.set(vu, t)
        void vu.running.finally(() => { if (rampDownTimers.get(vu) === t) { clearTimeout(t); rampDownTimers.delete(vu) } })
      }
    }
  }

  // One timer at a time, set for the next moment the integer target changes.
  let t = 0
  for (;;) {
    reconcile(vuTargetAt(ramp, t))
    const next = nextVuChange(ramp, t)
    if (next === null || next >= ramp.totalMs || rt.stopped) break
    const wait = timerOrStop(next - (performance.now() - started), rt)
    await wait.done
    if (rt.stopped) break
    t = performance.now() - started
  }
  const end = timerOrStop(ramp.totalMs - (performance.now() - started), rt)
  await end.done
  const rampingDown = [...rampDownTimers.keys()].map((v) => v.running).filter((p): p is Promise<void> => p !== null)
  await drain(vus, unit.gracefulStopMs, rt, rampingDown)
  for (const timer of rampDownTimers.values()) clearTimeout(timer)
}
