/**
 * The moments a run changes shape (a scenario starts, a stage begins, a scenario's load ends), as
 * offsets from the run's start: the markers a report draws on its charts.
 */
import type { RunPlan } from './plan.ts'

export interface PhaseMark {
  /** Milliseconds after the run started. */
  readonly atMs: number
  readonly label: string
}

export function phaseMarks(plan: RunPlan): PhaseMark[] {
  const marks: PhaseMark[] = []
  const many = plan.units.length > 1
  for (const u of plan.units) {
    const who = many ? `${u.name}: ` : ''
    if (many || u.startTimeMs > 0) marks.push({ atMs: u.startTimeMs, label: `${u.name} starts` })
    const e = u.executor
    if (e.kind === 'ramping-vus' || e.kind === 'ramping-arrival-rate') {
      const unit = e.kind === 'ramping-vus' ? ' VUs' : '/s'
      let at = u.startTimeMs
      e.stages.forEach((s, i) => {
        marks.push({ atMs: at, label: `${who}stage ${i + 1} → ${s.target}${unit}` })
        at += s.durationMs
      })
      marks.push({ atMs: at, label: `${who}load ends` })
    } else if ('durationMs' in e) {
      marks.push({ atMs: u.startTimeMs + e.durationMs, label: `${who}load ends` })
    }
  }
  return marks.sort((a, b) => a.atMs - b.atMs)
}
