/**
 * `perf()` and `scenario()`, written once for every runner. An adapter says how its runner
 * registers a test and which test is running now; everything else (the worker-registry short
 * circuit, validation at definition, call sites, the run, the verdict) is here.
 * Both are defined at module top level so a worker thread can find them by name (docs/pool.md).
 */
import type { PerfOptions, VuFunction } from '../core/options.ts'
import { prepare, type PreparedBlock } from '../core/run.ts'
import { jsonSafeProblem } from '../core/json-safe.ts'
import { withoutCallerOptions } from '../core/caller-options.ts'
import { DefinitionError, InvalidOptionError } from '../errors.ts'
import type { PerfResult } from '../metrics/result.ts'
import { record, workerRegistry } from '../pool/registry.ts'
import { resolveWorkers } from '../pool/run-pool.ts'
import { atCallSite, captureCallSite, withCallSite } from './call-site.ts'
import type { BlockHost } from './host.ts'
import { perfVerdict, runBlock } from './block.ts'
import { DEFAULT_WORKERS } from './runner.ts'
import { blockTimeoutMs } from './timeout.ts'
import { assertFitsTest, testDeadline } from './test-time.ts'

export type TestVariant = 'test' | 'only' | 'skip'

export interface TestRegistrar {
  /**
   * Registers a test. `timeoutMs` is undefined for a test that fails at once (bad options); the
   * body gets the host of the running test and must settle before the timeout.
   */
  register(variant: TestVariant, name: string, timeoutMs: number | undefined, body: (host: BlockHost) => Promise<void>): void
  /** The host of the test running now (for scenario.run()), or undefined outside a test. */
  currentHost(): BlockHost | undefined
}

/** `fn`: the VU function, or the path / file URL of a module whose default export it is. */
export type PerfFn = <D = unknown>(name: string, options: PerfOptions<D>, fn?: VuFunction<D> | string | URL) => void

export interface PerfApi extends PerfFn {
  only: PerfFn
  skip: PerfFn
  /** Skips the block when `condition` is true, as `test.skipIf`. */
  skipIf(condition: unknown): PerfFn
  /** Runs the block only when `condition` is true, as `test.runIf`. */
  runIf(condition: unknown): PerfFn
}

/** Options accepted by `scenario.run()`: any option, plus data for the VUs. */
export type ScenarioOverrides<D> = Partial<PerfOptions<D>> & { data?: D; workers?: number | 'auto' }

export interface Scenario<D = unknown> {
  readonly name: string
  /** Runs the load now (inside a test) and returns the result for matchers. */
  run(overrides?: ScenarioOverrides<D>): Promise<PerfResult>
}

export type ScenarioFn = <D = unknown>(name: string, options: PerfOptions<D>, fn?: VuFunction<D> | string | URL) => Scenario<D>

/** A test that runs the load and fails when a threshold is breached, for `runner`. */
export function makePerf(runner: TestRegistrar): PerfApi {
  const define = (variant: TestVariant): PerfFn => function perfBlock(name, options, fn) {
    const o = options as PerfOptions<unknown>
    // Inside a pool worker: only remember the definition, the worker runs it.
    if (workerRegistry()) { record({ kind: 'perf', name, options: o, fn: fn as VuFunction<unknown> | undefined }); return }
    // The block's errors point at this perf() call, not at the loadspec line that throws them.
    const site = captureCallSite(perfBlock)
    let block: PreparedBlock
    try {
      block = prepare(name, o, fn as VuFunction<unknown> | undefined, 'perf')
    } catch (err) {
      // Bad options fail this block with the error, without hiding the other tests of the file.
      runner.register(variant, name, undefined, () => Promise.reject(atCallSite(err, site)))
      return
    }
    runner.register(variant, name, blockTimeoutMs(block.plan, o), withCallSite(site, async (host: BlockHost) => {
      perfVerdict(await runBlock(host, { block, options: o, overrides: {} }), host.signal)
    }))
  }
  return Object.assign(define('test'), {
    only: define('only'),
    skip: define('skip'),
    skipIf: (condition: unknown) => define(condition ? 'skip' : 'test'),
    runIf: (condition: unknown) => define(condition ? 'test' : 'skip'),
  })
}

/** A load definition at module top level, run from inside any test with `.run()`, for `runner`. */
export function makeScenario(runner: TestRegistrar): ScenarioFn {
  return function scenario<D = unknown>(name: string, options: PerfOptions<D>, fn?: VuFunction<D> | string | URL): Scenario<D> {
    const vuFn = fn as VuFunction<unknown> | string | URL | undefined
    if (workerRegistry()) {
      record({ kind: 'scenario', name, options: options as PerfOptions<unknown>, fn: vuFn as VuFunction<unknown> | undefined })
      return { name, run: () => Promise.reject(new DefinitionError('scenario.run() is not available inside a load worker')) }
    }
    // Validated at definition so a typo fails fast, even before any test runs it.
    prepare(name, options as PerfOptions<unknown>, vuFn, 'scenario')
    // Errors of a run point at the user's .run() call (captured before its first await).
    const run = (overrides: ScenarioOverrides<D> = {}): Promise<PerfResult> => withCallSite(captureCallSite(run), runScenario)(overrides)
    return { name, run }

    async function runScenario(overrides: ScenarioOverrides<D>): Promise<PerfResult> {
      const merged = { ...options, ...overrides } as PerfOptions<unknown>
      const block = prepare(name, merged, vuFn, 'scenario')
      // Workers rebuild the options from the file; only plain data can travel with them.
      const travel = withoutCallerOptions(overrides as Record<string, unknown>)
      const problem = jsonSafeProblem(travel, 'overrides')
      if (problem && resolveWorkers(block.plan.workers, DEFAULT_WORKERS) > 0) {
        throw new InvalidOptionError('overrides', `scenario "${name}": ${problem}; functions cannot reach worker threads, so define them in scenario() or set workers: 0`)
      }
      const host = runner.currentHost()
      // A load that cannot fit in its test's timeout fails now, not at the timeout; one given its
      // own signal is stopped by its caller, who may well mean to stop it early.
      if (!merged.signal) assertFitsTest(name, block.plan, host?.test)
      const deadline = testDeadline(merged.signal ? undefined : host?.test)
      const signals = [merged.signal ?? host?.signal, deadline.signal].filter((x): x is AbortSignal => x !== undefined)
      let result: PerfResult
      try {
        result = await runBlock(host, { block, options: merged, overrides: travel, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0] })
      } finally { deadline.dispose() }
      if (deadline.expired) throw deadline.error(name, result.duration, result.iterations.completed, block.plan)
      return result
    }
  }
}
