/**
 * Recovery after a fault, read from the per-second timeline: the fault's recovery time is from its
 * end to the first second from which every later second (until the next fault or the end of the
 * load) keeps its error rate and p95 within tolerance of the seconds before the first fault.
 * A second that served no request has not recovered: nothing was answered in it.
 */
import type { FaultMarkData } from './result-data.ts'
import type { TimelinePoint } from './result.ts'
import { windowEndMs } from './timeline.ts'

export interface RecoveryTolerance {
  /** Rise of the error rate over `before` still counted as recovered, absolute (0–1). @default 0.01 */
  readonly errorRate?: number
  /** Rise of p95 over `before` still counted as recovered, relative (0.5 = 50 % slower). @default 0.5 */
  readonly p95?: number
  /**
   * Rise of p95 still counted as recovered, in ms, whatever the relative figure says: at latencies
   * of a millisecond or two, 50 % is timer and scheduling jitter, not an unrecovered system. @default 1
   */
  readonly p95Ms?: number
}

export interface PhaseFigures {
  readonly seconds: number
  readonly requests: number
  readonly errorRate: number
  /** Median of the seconds' p95 (ms); null without requests. */
  readonly p95: number | null
}

export interface FaultRecovery {
  readonly fault: FaultMarkData
  /** The seconds before the first fault, which recovery is measured against. */
  readonly before: PhaseFigures
  /** From the fault's end to the first recovered second (ms, 0 when it never left tolerance); null: not recovered. */
  readonly recoveryMs: number | null
}

export const DEFAULT_RECOVERY_TOLERANCE: Required<RecoveryTolerance> = { errorRate: 0.01, p95: 0.5, p95Ms: 1 }

/** A timeline point's end (points cover `seconds`: 1, coarser after an hour). */
const endOf = (p: TimelinePoint) => windowEndMs(p, p.seconds)

/** Figures of the timeline's whole windows in [fromMs, toMs). */
export function figuresBetween(timeline: readonly TimelinePoint[], fromMs: number, toMs: number): PhaseFigures {
  const secs = timeline.filter((p) => p.t * 1000 >= fromMs && endOf(p) <= toMs)
  // A point's counts are per second over its window.
  const requests = secs.reduce((a, p) => a + p.requests * p.seconds, 0)
  const errors = secs.reduce((a, p) => a + p.errors * p.seconds, 0)
  const p95s = secs.filter((p) => p.requests > 0).map((p) => p.p95).sort((a, b) => a - b)
  return { seconds: secs.reduce((a, p) => a + p.seconds, 0), requests, errorRate: requests ? errors / requests : 0, p95: p95s.length ? (p95s[Math.floor(p95s.length / 2)] as number) : null }
}

export function recoveries(timeline: readonly TimelinePoint[], faults: readonly FaultMarkData[], tolerance: RecoveryTolerance = {}): FaultRecovery[] {
  const tol = { ...DEFAULT_RECOVERY_TOLERANCE, ...tolerance }
  const ordered = [...faults].sort((a, b) => a.atMs - b.atMs)
  const before = figuresBetween(timeline, 0, ordered[0]?.atMs ?? Infinity)
  const within = (p: TimelinePoint) => p.requests > 0
    && p.errors / p.requests <= before.errorRate + tol.errorRate
    && (before.p95 === null || p.p95 <= Math.max(before.p95 * (1 + tol.p95), before.p95 + tol.p95Ms))
  return ordered.map((fault, i) => {
    const nextStart = ordered[i + 1]?.atMs ?? Infinity
    // The seconds that begin after the fault ended and end before the next fault begins.
    const after = timeline.filter((p) => endOf(p) > fault.endMs && endOf(p) <= nextStart)
    // Seconds after the load's last request (the run winding down) say nothing about recovery.
    while (after.length && (after[after.length - 1] as TimelinePoint).requests === 0) after.pop()
    let first: TimelinePoint | undefined
    for (let k = after.length - 1; k >= 0 && within(after[k] as TimelinePoint); k--) first = after[k]
    const recoveryMs = first === undefined ? null : Math.max(0, first.t * 1000 - fault.endMs)
    return { fault, before, recoveryMs }
  })
}
