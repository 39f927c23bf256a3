/**
 * Runs a validated block end to end on the caller's thread: setup, load (inline or pooled),
 * teardown, thresholds. Shared by `run()`, `perf()` and `scenario().run()`. Faults of the system
 * under test never throw from here; misuse (bad options, a throwing setup, a threshold its metric
 * cannot answer: threshold-metrics.ts) and failed workers do.
 */
import { InvalidThresholdError, SetupError, WorkerFailedError, toError } from '../errors.ts'
import { PerfResult } from '../metrics/result.ts'
import type { AbortInfo, ResultData, ThresholdResult } from '../metrics/result-data.ts'
import type { SerializedMetrics } from '../metrics/serialized.ts'
import { evaluateThresholds, type ParsedThreshold, type ThresholdOutcome } from '../metrics/thresholds.ts'
import { throwThresholdProblems, unknownMetricThresholds } from '../metrics/threshold-metrics.ts'
import { jsonSafeProblem } from './json-safe.ts'
import { phaseMarks } from './phases.ts'
import type { RunPlan } from './plan.ts'
import { inlineRunner, type LoadRunner } from './load-runner.ts'
import { healthProblems, type GeneratorHealth } from './health.ts'
import { loadspecVersion, planFingerprint } from './run-identity.ts'

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
  /** Where the load runs; default: this thread. */
  readonly runner?: LoadRunner | undefined
  /** Epoch ms to start the load at (after setup), so shards on several machines line up. */
  readonly startAt?: number | undefined
}

export async function execute(input: ExecuteInput): Promise<PerfResult> {
  const { plan } = input
  // What results say about the plan: the same for the live results of every second and the last.
  const shape = planShape(plan, input.thresholds)
  const data = await runSetup(input)
  const stopper = new AbortController()
  let aborted: AbortInfo | undefined
  const onUserAbort = () => {
    const r: unknown = input.signal?.reason
    aborted ??= { reason: 'signal', message: r instanceof Error ? r.message : String(r ?? 'aborted') }
    stopper.abort()
  }
  input.signal?.addEventListener('abort', onUserAbort, { once: true })
  if (input.signal?.aborted) onUserAbort()
  const watchAbort = input.thresholds.some((t) => t.abortOnFail)
  const onSecond = (live: SerializedMetrics, elapsedMs: number) => {
    if (!watchAbort && !input.onProgress) return
    const result = toResult(plan, shape, live, Date.now() - elapsedMs, elapsedMs, [], [])
    try { input.onProgress?.(result) } catch { /* a progress callback must never stop the load */ }
    if (!watchAbort || stopper.signal.aborted) return
    const failing = evaluateThresholds(input.thresholds, result, { elapsedMs }).find((o) => o.shouldAbort)
    if (failing) {
      aborted = { reason: 'threshold', message: `threshold ${failing.key} ${failing.source} failed (abortOnFail)` }
      stopper.abort()
    }
  }

  try {
    if (input.startAt !== undefined) await waitUntil(input.startAt, stopper.signal)
    const out = await (input.runner ?? inlineRunner(plan))(data, stopper.signal, onSecond)
    // Misuse found during the load (a custom metric whose type no threshold on it can read): the load stopped for it.
    if (out.invalid !== undefined) throw new InvalidThresholdError(out.invalid)
    if (out.error) aborted = { reason: 'error', message: out.error.message }
    const unknown = unknownMetricThresholds(input.thresholds, out.metrics.series.map((s) => s.name))
    // A load that ran to its end had every chance to create its metrics; one cut short may not have.
    if (!aborted) throwThresholdProblems(unknown.map((u) => u.problem))
    const draft = toResult(plan, shape, out.metrics, out.startTime, out.durationMs, [], out.health, aborted)
    const outcomes: ThresholdResult[] = evaluateThresholds(input.thresholds, draft, { elapsedMs: out.durationMs }).map((o, i) =>
      unknownOutcome(o, unknown.find((u) => u.threshold === input.thresholds[i])?.problem)).map((o) => ({
      key: o.key, source: o.source, ok: o.ok, actual: o.actual, ...(o.reason ? { reason: o.reason } : {}) }))
    const result = toResult(plan, shape, out.metrics, out.startTime, out.durationMs, outcomes, out.health, aborted)
    if (out.error) throw new WorkerFailedError(`perf "${plan.name}": ${out.error.message}`, result, { cause: out.error })
    return result
  } finally {
    input.signal?.removeEventListener('abort', onUserAbort)
    await runTeardown(input, data)
  }
}

/** In a run cut short, a threshold on a metric never seen fails with its reason: it was not met, and it may be a typo. */
function unknownOutcome(o: ThresholdOutcome, problem: string | undefined): ThresholdOutcome {
  return problem === undefined ? o : { ...o, ok: false, actual: null, reason: `${problem} (the run was stopped early, so it may not have been created yet)` }
}

async function runSetup(input: ExecuteInput): Promise<unknown> {
  let data: unknown = input.data
  if (input.setup) {
    try {
      data = await input.setup()
    } catch (err) {
      throw new SetupError(`setup() of "${input.plan.name}" threw: ${toError(err).message}`, { cause: err })
    }
  }
  const problem = data === undefined ? null : jsonSafeProblem(data)
  if (problem) throw new SetupError(`The data for "${input.plan.name}" must be JSON-safe (it is sent to every VU): ${problem}.`)
  return data === undefined ? undefined : JSON.parse(JSON.stringify(data))
}

async function runTeardown(input: ExecuteInput, data: unknown): Promise<void> {
  if (!input.teardown) return
  try {
    await input.teardown(data)
  } catch (err) {
    throw new SetupError(`teardown() of "${input.plan.name}" threw: ${toError(err).message}`, { cause: err })
  }
}

type PlanShape = ReturnType<typeof planShape>

function planShape(plan: RunPlan, thresholds: readonly ParsedThreshold[]) {
  const { label } = plan.segment
  return {
    units: plan.units.map((u) => ({ name: u.name, executor: u.executor.kind, userTypes: u.userTypes.map((t) => t.name) })), phases: phaseMarks(plan),
    identity: {
      fingerprint: planFingerprint(plan, thresholds), loadspec: loadspecVersion(),
      ...(label !== null ? { segment: { label, cycle: plan.segment.stripes.cycle, slots: plan.segment.stripes.slots } } : {}),
    },
  }
}

/** Resolves at `epochMs` (at once when it has passed), or when the run is stopped. */
function waitUntil(epochMs: number, signal: AbortSignal): Promise<void> {
  const ms = epochMs - Date.now()
  if (ms <= 0 || signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve() }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

function toResult(plan: RunPlan, shape: PlanShape, metrics: ResultData['metrics'], startTime: number, durationMs: number, thresholds: ThresholdResult[],
  health: readonly GeneratorHealth[], aborted?: AbortInfo): PerfResult {
  const problems = health.flatMap(healthProblems)
  return new PerfResult({
    version: 1, name: plan.name, startTime, durationMs, metrics, thresholds,
    ...(aborted ? { aborted } : {}),
    generator: { healthy: problems.length === 0, problems, workers: health },
    plan: { profile: plan.profile, scale: plan.scale, workers: health.length, units: shape.units, phases: shape.phases },
    ...shape.identity,
  })
}
