/**
 * `perf()` and `scenario()` for Vitest. A perf block is a test whose body runs the load and fails
 * on breached thresholds; a scenario is a load definition run from inside any test.
 * Both are defined at module top level so a worker thread can find them by name (pool issue).
 */
import { test, TestRunner } from 'vitest'
import type { TestContext } from 'vitest'
import { execute } from '../../core/execute.ts'
import { prepare, type PreparedBlock } from '../../core/run.ts'
import { parseDuration } from '../../core/duration.ts'
import type { PerfOptions, VuFunction } from '../../core/options.ts'
import { PerfResult as PerfResultClass, type PerfResult } from '../../metrics/result.ts'
import { ThresholdsFailedError } from '../../errors.ts'
import { digest, type BlockDigest } from '../../report/summary.ts'
import { formatBlock } from '../../report/table.ts'
import { appendDigest } from './meta.ts'
import { progressCallback } from './progress.ts'
import { writeResultFiles } from '../../report/files.ts'
import { registerMatchers } from './register.ts'
import { record, workerRegistry } from '../../pool/registry.ts'
import { pooledRunner, resolveWorkers } from '../../pool/run-pool.ts'
import type { LoadRunner } from '../../core/load-runner.ts'
import type { RunPlan } from '../../core/plan.ts'
import { jsonSafeProblem } from '../../core/json-safe.ts'
import { moduleRunner } from '../../pool/module-scenario.ts'
import { InvalidOptionError } from '../../errors.ts'
import { assertFitsTest, testDeadline, type RunningTest } from './test-time.ts'

registerMatchers()

/** Margin on top of a block's planned length for setup, teardown, bundling and thread start. */
const TIMEOUT_MARGIN_MS = 30_000
/** Writes the block's JSON and CSV files when the plugin set a report directory; returns the JSON's path. */
function report(result: PerfResult): string | undefined {
  const dir = process.env['LOADSPEC_REPORT_DIR']
  return dir ? writeResultFiles(result, dir)[0] : undefined
}

/** The digest the reporter gets, with the path of the JSON file the HTML report is built from. */
function digestWithFile(result: PerfResult): BlockDigest {
  return { ...digest(result), resultFile: report(result) }
}

/** Load runs off the test's thread by default, so it never competes with the test runner's loop. */
const DEFAULT_WORKERS = 1

/** The pool runner for a block of `file`, or undefined for `workers: 0` (the test's own thread). */
function runnerFor(block: PreparedBlock, options: PerfOptions<unknown>, file: string | undefined, overrides: Record<string, unknown>): LoadRunner | undefined {
  const { plan } = block
  const workers = resolveWorkers(plan.workers, DEFAULT_WORKERS)
  if (block.modulePath) return moduleRunner(plan, block.modulePath, options, workers)
  if (workers === 0) return undefined
  if (!file) throw new InvalidOptionError('workers', `"${plan.name}" runs outside a test, so no worker can load its function; call it inside a test or set workers: 0`)
  return pooledRunner({ file, name: plan.name, workers, overrides, profile: plan.profile ?? '', scale: plan.scale })
}

/** The test timeout of a perf block: the chosen profile's `timeout`, else the block's, else its planned length + margin. */
function blockTimeout(o: PerfOptions<unknown>, block: PreparedBlock): number {
  const chosen = block.plan.profile ? o.profiles?.[block.plan.profile]?.timeout : undefined
  const t = chosen ?? o.timeout
  return t !== undefined ? parseDuration(t, 'timeout') : block.plan.maxDurationMs + TIMEOUT_MARGIN_MS
}

/** `fn`: the VU function, or the path / file URL of a module whose default export it is. */
type PerfFn = <D = unknown>(name: string, options: PerfOptions<D>, fn?: VuFunction<D> | string | URL) => void
type TestLike = typeof test | typeof test.only | typeof test.skip

function define(register: TestLike): PerfFn {
  return (name, options, fn) => {
    // Inside a pool worker: only remember the definition, the worker runs it.
    if (workerRegistry()) { record({ kind: 'perf', name, options: options as PerfOptions<unknown>, fn: fn as VuFunction<unknown> | undefined }); return }
    let block: PreparedBlock
    try {
      block = prepare(name, options as PerfOptions<unknown>, fn as VuFunction<unknown> | undefined, 'perf')
    } catch (err) {
      // Bad options fail this block with the error, without hiding the other tests of the file.
      register(name, () => { throw err })
      return
    }
    const o = options as PerfOptions<unknown>
    const timeout = blockTimeout(o, block)
    register(name, { timeout }, async (ctx: TestContext) => {
      let result: PerfResult
      try {
        result = await execute({ ...block, setup: o.setup, teardown: o.teardown as ((d: unknown) => unknown) | undefined, data: o.data, signal: ctx.signal, onProgress: progressCallback(block.plan, ctx.task, o.onProgress),
          runner: runnerFor(block, o, ctx.task.file?.filepath, {}) })
      } catch (err) {
        // A failed worker still reports what the others measured.
        const partial = (err as { result?: unknown }).result
        if (partial instanceof PerfResultClass) appendDigest(ctx.task as never, digestWithFile(partial))
        throw err
      }
      const d = digestWithFile(result)
      appendDigest(ctx.task as never, d)
      if (!result.thresholdsPassed) {
        throw new ThresholdsFailedError(`Thresholds breached in perf "${name}":\n${formatBlock(d)}`)
      }
      if (ctx.signal.aborted) throw new Error(`perf "${name}" was aborted: ${String(ctx.signal.reason ?? '')}`)
    })
  }
}

export interface PerfApi extends PerfFn {
  only: PerfFn
  skip: PerfFn
  /** Skips the block when `condition` is true, as `test.skipIf`. */
  skipIf(condition: unknown): PerfFn
  runIf(condition: unknown): PerfFn
}

/** A test that runs the load and fails when a threshold is breached. */
export const perf: PerfApi = Object.assign(define(test), {
  only: define(test.only),
  skip: define(test.skip),
  skipIf: (condition: unknown) => define(condition ? test.skip : test),
  runIf: (condition: unknown) => define(condition ? test : test.skip),
})

/** Options accepted by `scenario.run()`: any option, plus data for the VUs. */
export type ScenarioOverrides<D> = Partial<PerfOptions<D>> & { data?: D; workers?: number | 'auto' }

export interface Scenario<D = unknown> {
  readonly name: string
  /** Runs the load now (inside a test) and returns the result for matchers. */
  run(overrides?: ScenarioOverrides<D>): Promise<PerfResult>
}

/** A load definition at module top level, run from inside any test with `.run()`. */
export function scenario<D = unknown>(name: string, options: PerfOptions<D>, fn?: VuFunction<D> | string | URL): Scenario<D> {
  if (workerRegistry()) {
    record({ kind: 'scenario', name, options: options as PerfOptions<unknown>, fn: fn as VuFunction<unknown> | undefined })
    return { name, run: () => Promise.reject(new Error('scenario.run() is not available inside a load worker')) }
  }
  // Validated at definition so a typo fails fast, even before any test runs it.
  prepare(name, options as PerfOptions<unknown>, fn as VuFunction<unknown> | undefined, 'scenario')
  return {
    name,
    async run(overrides = {}) {
      const merged = { ...options, ...overrides } as PerfOptions<unknown>
      const block = prepare(name, merged, fn as VuFunction<unknown> | undefined, 'scenario')
      const task = TestRunner.getCurrentTest() as unknown as (RunningTest & { meta: Record<string, unknown>; context?: { signal?: AbortSignal }; file?: { filepath?: string } }) | undefined
      // A load that cannot fit in its test's timeout fails now, not at the timeout; one given its
      // own signal is stopped by its caller, who may well mean to stop it early.
      if (!merged.signal) assertFitsTest(name, block.plan, task)
      // Workers rebuild the options from the file; only plain data can travel with them.
      const { setup: _s, teardown: _t, signal: _g, data: _d, onProgress: _p, ...travel } = overrides as Record<string, unknown>
      const problem = jsonSafeProblem(travel, 'overrides')
      const workers = resolveWorkers(block.plan.workers, DEFAULT_WORKERS)
      if (problem && workers > 0) throw new InvalidOptionError('overrides', `scenario "${name}": ${problem}; functions cannot reach worker threads, so define them in scenario() or set workers: 0`)
      const deadline = testDeadline(task)
      const signals = [merged.signal ?? task?.context?.signal, deadline.signal].filter((x): x is AbortSignal => x !== undefined)
      let result: PerfResult
      try {
        result = await execute({ ...block, setup: merged.setup, teardown: merged.teardown as ((d: unknown) => unknown) | undefined, data: merged.data,
          signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0], onProgress: progressCallback(block.plan, task, merged.onProgress),
          runner: runnerFor(block, merged, task?.file?.filepath, travel) })
      } finally { deadline.dispose() }
      appendDigest(task, digestWithFile(result))
      if (deadline.expired) throw deadline.error(name, result.duration, result.iterations.completed, block.plan)
      return result
    },
  }
}
