/**
 * `run()`: load with no test runner. Validates, runs setup → load → teardown and returns the
 * PerfResult; breached thresholds are in `result.thresholds`, not thrown.
 */
import type { PerfOptions, VuFunction } from '../core/options.ts'
import { prepare, type RunOptions } from '../core/run.ts'
import type { PerfResult } from '../metrics/result.ts'
import { VITEST_STUB } from '../pool/bundle.ts'
import { executeWithHooks, hooksFor } from './lifecycle.ts'
import { executeInput, runnerFor } from './runner.ts'

export type { RunOptions }

export async function run<D = unknown>(options: RunOptions<D>): Promise<PerfResult> {
  const { name = 'run', fn, profile, startAt, segment, executionSegment, executionSegmentSequence, ...rest } = options
  const block = prepare(name, rest as PerfOptions<unknown>, fn as VuFunction<unknown> | string | URL | undefined, 'run', profile,
    { segment, executionSegment, executionSegmentSequence })
  // Without a test file, workers can only load a VU function that lives in a module.
  const runner = runnerFor(block, rest as PerfOptions<unknown>, { file: undefined, overrides: {}, stub: VITEST_STUB, defaultWorkers: 0,
    noFile: `run(): workers: ${String(rest.workers)} needs the VU function in a module (fn: './my-scenario.ts', default export) so worker threads can load it; or set workers: 0` })
  const wiring = hooksFor(block, rest as PerfOptions<unknown>)
  const input = executeInput(block, rest as PerfOptions<unknown>, { runner, startAt, services: wiring.services })
  return executeWithHooks(wiring.hooks, { plan: block.plan, options: rest as PerfOptions<unknown>, signal: input.signal }, input)
}
