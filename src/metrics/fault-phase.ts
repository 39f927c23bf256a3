/**
 * Fault phases: `result.phase('before' | 'during' | 'after')` (or `'during:1'` for the second
 * fault) as a MetricView built from the per-second timeline in the phase's time window. `before`
 * is the seconds that end before the first fault (or fault i) begins; `during` every second the
 * fault touches; `after` the seconds that begin after it ended, up to the next fault's start.
 * Seconds hold the main metrics with their tags merged, so a phase answers for metric names, not
 * tag filters. `secondsIn()` is the one place that reads seconds from the timeline.
 */
import type { FaultMarkData, ResultData } from './result-data.ts'
import type { SerializedSecond, SerializedSeries } from './serialized.ts'
import { createHistogram, addEncoded, encodeHistogram, type EncodedHistogram } from './histogram.ts'
import { trendsOf } from './compact-second.ts'
import { SeriesIndex } from './summary.ts'
import { secondsOf, windowEndMs } from './timeline.ts'
import { UsageError } from '../errors.ts'

export type FaultPhaseName = 'before' | 'during' | 'after'
const PHASE = /^(before|during|after)(?::(\d+))?$/

/** The phase a name asks for, or null for another name (a `phase` tag). */
export function parsePhaseName(name: string): { phase: FaultPhaseName; fault: number | null } | null {
  const m = PHASE.exec(name)
  return m ? { phase: m[1] as FaultPhaseName, fault: m[2] === undefined ? null : Number(m[2]) } : null
}

/** The window of a phase, in ms after the result's start: [fromMs, toMs). */
export interface PhaseWindow { readonly fromMs: number; readonly toMs: number; readonly touching: boolean }

/**
 * The window of `phase` for fault `index` (null: the first fault for before, and all faults from
 * the first start to the last end for during/after when there are several and none is named).
 */
export function phaseWindow(data: ResultData, phase: FaultPhaseName, index: number | null): PhaseWindow {
  const faults = [...(data.faults ?? [])].sort((a, b) => a.atMs - b.atMs)
  if (faults.length === 0) throw new UsageError(`result.phase('${phase}'): the run has no faults; phases before/during/after are about the faults in its faults: option`)
  let chosen: FaultMarkData[]
  if (index === null) chosen = faults
  else {
    const f = faults.find((m) => m.index === index)
    if (!f) throw new UsageError(`result.phase('${phase}:${index}'): no fault ${index}; the faults carried out are ${faults.map((m) => `${m.index} (${m.label})`).join(', ')}`)
    chosen = [f]
  }
  const first = chosen[0] as FaultMarkData
  const start = first.atMs
  const end = Math.max(...chosen.map((m) => m.endMs))
  const next = faults.find((m) => m.atMs > end)?.atMs ?? Infinity
  if (phase === 'before') return { fromMs: index === null ? 0 : Math.max(0, ...faults.filter((m) => m.atMs < start).map((m) => m.endMs)), toMs: start, touching: false }
  if (phase === 'during') return { fromMs: start, toMs: end, touching: true }
  return { fromMs: end, toMs: Math.min(next, data.durationMs), touching: false }
}

/**
 * The timeline's seconds in a window: those wholly inside it, or (`touching`) every second that
 * overlaps it. The only reader of the timeline's representation here.
 */
export function secondsIn(data: ResultData, w: PhaseWindow): SerializedSecond[] {
  // A window covers `d` seconds (1 in a run's first hour, coarser after: metrics/timeline.ts).
  const end = (s: SerializedSecond) => windowEndMs(s, secondsOf(s))
  return data.metrics.timeline.filter((s) => w.touching
    ? s.t * 1000 < w.toMs && end(s) > w.fromMs
    : s.t * 1000 >= w.fromMs && end(s) <= w.toMs)
}

/** Series (tags merged) that sum the seconds, so a MetricView can read them. */
export function seriesOfSeconds(seconds: readonly SerializedSecond[]): SerializedSeries[] {
  const counters = new Map<string, number>()
  const rates = new Map<string, [number, number]>()
  const gauges = new Map<string, { last: number; min: number; max: number; n: number }>()
  const trends = new Map<string, EncodedHistogram[]>()
  for (const s of seconds) {
    for (const [k, v] of Object.entries(s.counters)) counters.set(k, (counters.get(k) ?? 0) + v)
    for (const [k, [p, f]] of Object.entries(s.rates)) { const r = rates.get(k) ?? [0, 0]; rates.set(k, [r[0] + p, r[1] + f]) }
    for (const [k, v] of Object.entries(s.gauges)) {
      const g = gauges.get(k)
      gauges.set(k, g ? { last: v, min: Math.min(g.min, v), max: Math.max(g.max, v), n: g.n + 1 } : { last: v, min: v, max: v, n: 1 })
    }
    for (const [k, enc] of trendsOf(s)) trends.set(k, [...(trends.get(k) ?? []), enc])
  }
  const out: SerializedSeries[] = []
  for (const [name, sum] of counters) out.push({ name, type: 'counter', tags: {}, count: sum, sum, min: 0, max: 0 })
  for (const [name, [passes, fails]] of rates) out.push({ name, type: 'rate', tags: {}, count: passes + fails, sum: passes, min: 0, max: 0 })
  for (const [name, g] of gauges) out.push({ name, type: 'gauge', tags: {}, count: g.n, sum: g.last, min: g.min, max: g.max })
  for (const [name, list] of trends) {
    const h = createHistogram()
    for (const enc of list) addEncoded(h, enc)
    const count = h.totalCount
    out.push({ name, type: 'trend', tags: {}, count, sum: count ? h.mean * count : 0, min: count ? h.minNonZeroValue : 0, max: count ? h.maxValue : 0, hist: encodeHistogram(h) })
  }
  return out
}

/** The index a phase view reads, and the ms its seconds span (for throughput). */
export function phaseIndex(data: ResultData, w: PhaseWindow): { index: SeriesIndex; spanMs: number; seconds: number } {
  const seconds = secondsIn(data, w)
  const spanMs = seconds.reduce((a, s) => a + secondsOf(s), 0) * 1000
  return { index: new SeriesIndex(seriesOfSeconds(seconds), spanMs), spanMs, seconds: spanMs / 1000 }
}
