/**
 * `perf()` and `scenario()` for Vitest: the harness's (src/harness/define.ts) over Vitest's `test`
 * and its running task. Vitest gives each test an abort signal (timeout, Ctrl+C, bail) and a task
 * whose meta carries the digest to the reporter.
 */
import { test, TestRunner } from 'vitest'
import type { TestContext } from 'vitest'
import { makePerf, makeScenario, type TestRegistrar, type TestVariant } from '../../harness/define.ts'
import type { BlockHost } from '../../harness/host.ts'
import type { RunningTest } from '../../harness/test-time.ts'
import { VITEST_STUB } from '../../pool/bundle.ts'
import { appendDigest } from './meta.ts'
import { progressSink } from './progress.ts'
import { registerMatchers } from './register.ts'

export type { PerfApi, Scenario, ScenarioOverrides } from '../../harness/define.ts'

registerMatchers()

interface VitestTask extends RunningTest { meta: Record<string, unknown>; file?: { filepath?: string }; context?: { signal?: AbortSignal } }

function vitestHost(task: VitestTask | undefined, signal: AbortSignal | undefined): BlockHost {
  return { testFile: task?.file?.filepath, signal, stub: VITEST_STUB, report: (d) => appendDigest(task, d), progress: progressSink(task), test: task }
}

const tests: Record<TestVariant, typeof test | typeof test.only | typeof test.skip> = { test, only: test.only, skip: test.skip }

const vitest: TestRegistrar = {
  register(variant, name, timeoutMs, body) {
    tests[variant](name, timeoutMs === undefined ? {} : { timeout: timeoutMs },
      (ctx: TestContext) => body(vitestHost(ctx.task as unknown as VitestTask, ctx.signal)))
  },
  currentHost() {
    const task = TestRunner.getCurrentTest() as unknown as VitestTask | undefined
    return task ? vitestHost(task, task.context?.signal) : undefined
  },
}

/** A test that runs the load and fails when a threshold is breached. */
export const perf = makePerf(vitest)

/** A load definition at module top level, run from inside any test with `.run()`. */
export const scenario = makeScenario(vitest)
