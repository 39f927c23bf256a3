/**
 * Checks across the fields of one executor's options, after each field passed its own schema:
 * what k6 refuses in its executors' Validate() (lib/executor/*.go) besides single-field rules.
 */
import { parseDuration } from './duration.ts'
import type { Executor } from './options-schema.ts'
import type { Problem } from './option-issues.ts'

type Obj = Record<string, unknown>
type StageIn = { duration: string | number; target: number }

/** Problems of `o` as options of `exec`; paths are relative to `o`. */
export function executorProblems(exec: Executor, o: Obj): Problem[] {
  const out: Problem[] = []
  if (exec === 'constant-arrival-rate' || exec === 'ramping-arrival-rate') {
    const pre = o['preAllocatedVUs'] as number
    const max = o['maxVUs'] as number | undefined
    if (max !== undefined && max < pre) out.push({ path: ['maxVUs'], message: `${max} is less than preAllocatedVUs (${pre}); raise maxVUs or leave it out` })
  }
  if (exec === 'ramping-vus' || exec === 'ramping-arrival-rate') {
    const stages = o['stages'] as StageIn[]
    if (stages.every((s) => parseDuration(s.duration) === 0)) {
      out.push({ path: ['stages'], message: "last 0 ms in total, so the load would not run; give at least one stage a duration like '30s'" })
    }
    const start = exec === 'ramping-vus' ? (o['startVUs'] as number | undefined) ?? 1 : (o['startRate'] as number | undefined) ?? 0
    if (start === 0 && stages.every((s) => s.target === 0)) {
      out.push(exec === 'ramping-vus'
        ? { path: ['stages'], message: 'every target is 0 and so is startVUs, so no VU would ever run; give a stage a target above 0' }
        : { path: ['stages'], message: 'every target is 0 and so is startRate, so no iteration would ever start; give a stage a target above 0' })
    }
  }
  return out
}
