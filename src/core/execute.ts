/**
 * Runs a validated plan end to end on the caller's thread: setup, load, teardown, thresholds.
 * Shared by `run()`, `perf()` and `scenario().run()`. Faults of the system under test never throw
 * from here; misuse (bad options, a throwing setup) does.
 */
import { SetupError, toError } from '../errors.ts'
import { PerfResult } from '../metrics/result.ts'
import type { AbortInfo, ResultData, ThresholdResult } from '../metrics/result-data.ts'
import { evaluateThresholds, type ParsedThreshold } from '../metrics/thresholds.ts'
import type { MetricsRegistry } from '../metrics/registry.ts'
import { jsonSafeProblem } from './json-safe.ts'
import type { RunPlan } from './plan.ts'
import { runSegment } from './run-segment.ts'
import { WHOLE } from './segment.ts'

export interface ExecuteInput {
  readonly plan: RunPlan
  readonly thresholds: readonly ParsedThreshold[]
  readonly setup?: (() => unknown) | undefined
  readonly teardown?: ((data: unknown) => unknown) | undefined
  /** Data when there is no setup. */
  readonly data?: unknown
  readonly signal?: AbortSignal | undefined
  /** Live figures about once a second (progress, reporter artifacts). */
  readonly onProgress?: ((snapshot: PerfResult) => void) | undefined
}

export async function execute(input: ExecuteInput): Promise<PerfResult> {
  const { plan } = input
  let data: unknown = input.data
  if (input.setup) {
    try {
      data = await input.setup()
    } catch (err) {
      throw new SetupError(`setup() of "${plan.name}" threw: ${toError(err).message}`, { cause: err })
    }
  }
  const problem = data === undefined ? null : jsonSafeProblem(data)
  if (problem) throw new SetupError(`The data for "${plan.name}" must be JSON-safe (it is sent to every VU): ${problem}.`)
  if (data !== undefined) data = JSON.parse(JSON.stringify(data))

  const stopper = new AbortController()
  let aborted: AbortInfo | undefined
  const onUserAbort = () => {
    aborted ??= { reason: 'signal', message: String(input.signal?.reason instanceof Error ? input.signal.reason.message : input.signal?.reason ?? 'aborted') }
    stopper.abort()
  }
  input.signal?.addEventListener('abort', onUserAbort, { once: true })
  if (input.signal?.aborted) onUserAbort()
  const watchAbort = input.thresholds.some((t) => t.abortOnFail)
  const onSecond = watchAbort || input.onProgress
    ? (registry: MetricsRegistry, elapsedMs: number) => {
        const live = toResult(plan, registry.snapshot(), Date.now() - elapsedMs, elapsedMs, [])
        input.onProgress?.(live)
        if (!watchAbort || stopper.signal.aborted) return
        const failing = evaluateThresholds(input.thresholds, live, { elapsedMs }).find((o) => o.shouldAbort)
        if (failing) {
          aborted = { reason: 'threshold', message: `threshold ${failing.key} ${failing.source} failed (abortOnFail)` }
          stopper.abort()
        }
      }
    : undefined

  try {
    const seg = await runSegment({ plan, segment: WHOLE, data, signal: stopper.signal, onSecond })
    const draft = toResult(plan, seg.metrics, seg.startTime, seg.durationMs, [], aborted)
    const outcomes: ThresholdResult[] = evaluateThresholds(input.thresholds, draft, { elapsedMs: seg.durationMs }).map((o) => ({
      key: o.key, source: o.source, ok: o.ok, actual: o.actual, ...(o.reason ? { reason: o.reason } : {}) }))
    return toResult(plan, seg.metrics, seg.startTime, seg.durationMs, outcomes, aborted)
  } finally {
    input.signal?.removeEventListener('abort', onUserAbort)
    if (input.teardown) {
      try {
        await input.teardown(data)
      } catch (err) {
        // eslint-disable-next-line no-unsafe-finally -- a failing teardown is misuse worth surfacing
        throw new SetupError(`teardown() of "${plan.name}" threw: ${toError(err).message}`, { cause: err })
      }
    }
  }
}

function toResult(plan: RunPlan, metrics: ResultData['metrics'], startTime: number, durationMs: number, thresholds: ThresholdResult[], aborted?: AbortInfo): PerfResult {
  return new PerfResult({
    version: 1, name: plan.name, startTime, durationMs, metrics, thresholds,
    ...(aborted ? { aborted } : {}),
    plan: { profile: plan.profile, scale: plan.scale, units: plan.units.map((u) => ({ name: u.name, executor: u.executor.kind, userTypes: u.userTypes.map((t) => t.name) })) },
  })
}
