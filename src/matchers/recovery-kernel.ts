/**
 * `toRecoverWithin(ms, tolerance?)`: every fault of a run's fault timeline recovered (see
 * metrics/recovery.ts) within `ms` of its end. A run without faults is an error, not a pass: an
 * assertion that cannot fail is a mistake.
 */
import { MatcherUsageError } from '../errors.ts'
import type { PerfResult } from '../metrics/result.ts'
import { recoveries, type FaultRecovery, type RecoveryTolerance } from '../metrics/recovery.ts'
import { formatFailure } from './format.ts'
import type { MatcherOutcome } from './kernels.ts'
import { asView } from './receiver.ts'

export function recoverWithin(matcher: string, received: unknown, ms: unknown, tolerance?: RecoveryTolerance): MatcherOutcome {
  const view = asView(matcher, received) as PerfResult
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new MatcherUsageError(`${matcher}: the time must be a number of ms ≥ 0; received ${JSON.stringify(ms)}`)
  if (!Array.isArray(view.thresholds)) throw new MatcherUsageError(`${matcher}: expected a whole PerfResult (faults belong to the run, not to a view)`)
  const faults = view.toJSON().faults ?? []
  if (faults.length === 0) throw new MatcherUsageError(`${matcher}: ${view.label} had no faults, so there is nothing to recover from; give the block faults: [{ at, service, action }]`)
  const all = recoveries(view.timeline, faults, tolerance)
  const slow = all.filter((r) => r.recoveryMs === null || r.recoveryMs > ms)
  return {
    pass: slow.length === 0,
    actual: all.map((r) => r.recoveryMs),
    expected: ms,
    message: (isNot) => formatFailure({
      matcher, isNot, label: view.label,
      expected: `every fault recovered within ${ms} ms of its end`,
      received: slow.length ? `${slow.length} of ${all.length} did not` : `all ${all.length} did`,
      extra: all.map(line).join('\n'),
    }),
  }
}

function line(r: FaultRecovery): string {
  const b = r.before
  const at = `${(r.fault.atMs / 1000).toFixed(1)}–${(r.fault.endMs / 1000).toFixed(1)} s`
  const rec = r.recoveryMs === null ? 'not recovered by the end of the load' : `recovered ${r.recoveryMs} ms after it ended`
  return `  ${r.fault.label} (${at}): ${rec} (before: error rate ${(b.errorRate * 100).toFixed(2)} %, p95 ${b.p95 === null ? '-' : b.p95.toFixed(1)} ms)`
}
