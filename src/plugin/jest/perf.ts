/**
 * `perf()` and `scenario()` for Jest: the harness's (src/harness/define.ts) over Jest's global
 * `test(name, fn, timeout)`. A perf block's test gets the block's timeout, and its host a deadline
 * before it (host.ts); a scenario run inside a user's test takes the deadline from that test.
 */
import { makePerf, makeScenario, type TestRegistrar } from '../../harness/define.ts'
import { jestHost } from './host.ts'
import { jestTest, runningTestClock } from './globals.ts'
import { registerMatchers } from './register.ts'

export type { PerfApi, Scenario, ScenarioOverrides } from '../../harness/define.ts'

registerMatchers()

const jest: TestRegistrar = {
  register(variant, name, timeoutMs, body) {
    const test = jestTest()
    const t = variant === 'only' ? test.only : variant === 'skip' ? test.skip : test
    const started = () => (timeoutMs === undefined ? undefined : { timeoutMs, startedAt: Date.now() })
    t(name, () => body(jestHost(started())), timeoutMs)
  },
  currentHost() {
    return jestHost(runningTestClock())
  },
}

/** A test that runs the load and fails when a threshold is breached. */
export const perf = makePerf(jest)

/** A load definition at module top level, run from inside any test with `.run()`. */
export const scenario = makeScenario(jest)
