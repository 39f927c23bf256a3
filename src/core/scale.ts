/**
 * LOADSPEC_SCALE: multiplies VUs and arrival rates (not iteration counts or durations), so one
 * suite can run small on a laptop and large in a perf job. Non-zero figures never scale to zero.
 */
import type { ExecutorPlan } from './plan.ts'

export function scaleExecutor(e: ExecutorPlan, scale: number): ExecutorPlan {
  if (scale === 1) return e
  const vus = (n: number) => (n === 0 ? 0 : Math.max(1, Math.round(n * scale)))
  const rate = (n: number) => n * scale
  switch (e.kind) {
    case 'constant-vus': case 'per-vu-iterations': case 'shared-iterations': return { ...e, vus: vus(e.vus) }
    case 'ramping-vus': return { ...e, startVUs: vus(e.startVUs), stages: e.stages.map((s) => ({ ...s, target: vus(s.target) })) }
    case 'constant-arrival-rate': return { ...e, ratePerSec: rate(e.ratePerSec), preAllocatedVUs: vus(e.preAllocatedVUs), maxVUs: vus(e.maxVUs) }
    case 'ramping-arrival-rate': return { ...e, startRatePerSec: rate(e.startRatePerSec), stages: e.stages.map((s) => ({ ...s, target: rate(s.target) })),
      preAllocatedVUs: vus(e.preAllocatedVUs), maxVUs: vus(e.maxVUs) }
  }
}
