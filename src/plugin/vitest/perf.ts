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
import type { PerfResult } from '../../metrics/result.ts'
import { ThresholdsFailedError } from '../../errors.ts'
import { digest } from '../../report/summary.ts'
import { formatBlock } from '../../report/table.ts'
import { appendDigest } from './meta.ts'
import { registerMatchers } from './register.ts'

registerMatchers()

/** Margin on top of a block's planned length for setup, teardown and connection set-up. */
const TIMEOUT_MARGIN_MS = 30_000

type PerfFn = <D = unknown>(name: string, options: PerfOptions<D>, fn?: VuFunction<D>) => void
type TestLike = typeof test | typeof test.only | typeof test.skip

function define(register: TestLike): PerfFn {
  return (name, options, fn) => {
    let block: PreparedBlock
    try {
      block = prepare(name, options as PerfOptions<unknown>, fn as VuFunction<unknown> | undefined, 'perf')
    } catch (err) {
      // Bad options fail this block with the error, without hiding the other tests of the file.
      register(name, () => { throw err })
      return
    }
    const o = options as PerfOptions<unknown>
    const timeout = o.timeout !== undefined ? parseDuration(o.timeout) : block.plan.maxDurationMs + TIMEOUT_MARGIN_MS
    register(name, { timeout }, async (ctx: TestContext) => {
      const result = await execute({ ...block, setup: o.setup, teardown: o.teardown as ((d: unknown) => unknown) | undefined, data: o.data, signal: ctx.signal })
      const d = digest(result)
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
export type ScenarioOverrides<D> = Partial<PerfOptions<D>> & { data?: D }

export interface Scenario<D = unknown> {
  readonly name: string
  /** Runs the load now (inside a test) and returns the result for matchers. */
  run(overrides?: ScenarioOverrides<D>): Promise<PerfResult>
}

/** A load definition at module top level, run from inside any test with `.run()`. */
export function scenario<D = unknown>(name: string, options: PerfOptions<D>, fn?: VuFunction<D>): Scenario<D> {
  // Validated at definition so a typo fails fast, even before any test runs it.
  prepare(name, options as PerfOptions<unknown>, fn as VuFunction<unknown> | undefined, 'scenario')
  return {
    name,
    async run(overrides = {}) {
      const merged = { ...options, ...overrides } as PerfOptions<unknown>
      const block = prepare(name, merged, fn as VuFunction<unknown> | undefined, 'scenario')
      const task = TestRunner.getCurrentTest() as unknown as { meta: Record<string, unknown>; context?: { signal?: AbortSignal } } | undefined
      const signal = merged.signal ?? task?.context?.signal
      const result = await execute({ ...block, setup: merged.setup, teardown: merged.teardown as ((d: unknown) => unknown) | undefined, data: merged.data, signal })
      appendDigest(task, digest(result))
      return result
    },
  }
}
