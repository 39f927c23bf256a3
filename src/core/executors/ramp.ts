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

/** Area under the rate curve (per second) over [0, t]: how many iterations are due by t. */
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

// Float slack for "the area reaches i": a stage's area is a sum of products (0.5 · 5 s · 1/s) that
// may land a hair below the integer it stands for, and the iteration due exactly at the end of the
// schedule must not be lost to that.
const AREA_SLACK = 1e-9

/**
 * Iterations a ramping-arrival-rate schedule starts: every i ≥ 1 the area reaches, as k6's `cal()`
 * (lib/executor/ramping_arrival_rate.go) loops `for i <= endCount`. 0→5/s over 1 s (area 2.5) starts 2.
 */
export function scheduledIterations(r: Ramp): number {
  const area = iterationsBy(r, r.totalMs)
  return Math.floor(area + AREA_SLACK * Math.max(1, area))
}

/**
 * When iteration i (counting from 1) is due, in ms: the time at which the area under the rate curve
 * reaches i, as k6's `cal()` computes it. So a ramp 0→10/s over 2 s starts its first iteration at
 * √(1/2.5) s ≈ 632 ms, not at 0, and a constant 10/s stage at 100 ms. Infinity if the area never
 * reaches i.
 */
export function arrivalTime(r: Ramp, i: number): number {
  let from = r.start
  let ts = 0
  let before = 0
  for (const s of r.stages) {
    const d = s.durationMs / 1000
    const area = ((from + s.target) / 2) * d
    if (area > 0 && i <= before + area + AREA_SLACK * Math.max(1, before + area)) {
      const need = Math.min(i - before, area)
      // Within the stage, N(τ) = from·τ + a·τ² with a = (to − from) / 2d. Its root written as
      // 2·need / (from + √(from² + 4·a·need)) has no cancellation when the rate barely changes
      // (1333 → 1334/s), where the textbook (−from + √…) / 2a loses most of its digits.
      const a = (s.target - from) / (2 * d)
      const root = Math.sqrt(Math.max(0, from * from + 4 * a * need))
      const tau = from + root > 0 ? (2 * need) / (from + root) : 0
      return ts + Math.min(Math.max(tau, 0), d) * 1000
    }
    before += area
    from = s.target
    ts += s.durationMs
  }
  return Infinity
}
