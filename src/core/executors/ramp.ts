/**
 * Piecewise-linear stages, the maths behind ramping-vus and ramping-arrival-rate: the value at a
 * time, when an integer VU target next changes, and (for rates) the time of the i-th iteration,
 * from the integral of the rate.
 */
import type { StagePlan } from '../plan.ts'

export interface Ramp {
  readonly start: number
  readonly stages: readonly StagePlan[]
  readonly totalMs: number
}

export function makeRamp(start: number, stages: readonly StagePlan[]): Ramp {
  return { start, stages, totalMs: stages.reduce((a, s) => a + s.durationMs, 0) }
}

/** Linear value at time t (ms since the ramp began). */
export function valueAt(r: Ramp, t: number): number {
  let from = r.start
  let ts = 0
  for (const s of r.stages) {
    if (t < ts + s.durationMs) return s.durationMs === 0 ? s.target : from + ((s.target - from) * (t - ts)) / s.durationMs
    from = s.target
    ts += s.durationMs
  }
  return from
}

/**
 * Integer VU target at t: rising stages count a VU once the line reaches it (floor), falling
 * stages drop it once the line passes below (ceil), so a ramp 0→10 over 10 s adds one VU a second.
 */
export function vuTargetAt(r: Ramp, t: number): number {
  let from = r.start
  let ts = 0
  for (const s of r.stages) {
    if (t < ts + s.durationMs) {
      const v = from + ((s.target - from) * (t - ts)) / s.durationMs
      return s.target > from ? Math.floor(v + 1e-9) : s.target < from ? Math.ceil(v - 1e-9) : from
    }
    from = s.target
    ts += s.durationMs
  }
  return from
}

/** The next time after t at which vuTargetAt changes, or null when it never will. */
export function nextVuChange(r: Ramp, t: number): number | null {
  let from = r.start
  let ts = 0
  for (const s of r.stages) {
    const end = ts + s.durationMs
    if (t < end && s.target !== from) {
      const current = vuTargetAt(r, t)
      const next = s.target > from ? current + 1 : current - 1
      const at = ts + ((next - from) / (s.target - from)) * s.durationMs
      return Math.min(Math.max(at, t + 1), end)
    }
    if (t < end) return end
    from = s.target
    ts = end
  }
  return null
}

/** Iterations scheduled by time t: the integral of the rate (per second) over [0, t]. */
export function iterationsBy(r: Ramp, t: number): number {
  let from = r.start
  let ts = 0
  let total = 0
  for (const s of r.stages) {
    const d = s.durationMs
    const end = ts + d
    const upto = Math.min(t, end) - ts
    if (upto <= 0) break
    const rateAt = from + (d ? ((s.target - from) * upto) / d : 0)
    total += ((from + rateAt) / 2) * (upto / 1000)
    from = s.target
    ts = end
  }
  return total
}

/** The time (ms) at which the i-th iteration (0-based) is due: iterationsBy(t) = i. Infinity if never. */
export function timeOfIteration(r: Ramp, i: number): number {
  let from = r.start
  let ts = 0
  let before = 0
  for (const s of r.stages) {
    const d = s.durationMs / 1000
    const area = ((from + s.target) / 2) * d
    if (before + area >= i && area > 0) {
      const need = i - before
      const a = (s.target - from) / (2 * d) // N(τ) = from·τ + a·τ²
      let tau: number
      if (Math.abs(a) < 1e-12) tau = need / from
      else tau = (-from + Math.sqrt(Math.max(0, from * from + 4 * a * need))) / (2 * a)
      return ts + Math.min(Math.max(tau, 0), d) * 1000
    }
    before += area
    from = s.target
    ts += s.durationMs
  }
  return Infinity
}
