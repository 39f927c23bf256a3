/**
 * loadspec for Vitest (runtime API shared by the Vitest 4 and 5 entries): the `loadspec()` plugin for vitest.config.ts, and `perf()` / `scenario()`
 * for test files. Importing this module registers the matchers.
 */
export { loadspec, type LoadspecPluginOptions } from './plugin.ts'
export { perf, scenario, type PerfApi, type Scenario, type ScenarioOverrides } from './perf.ts'
export { LoadspecReporter } from './reporter.ts'
export type { LoadspecMatchers } from '../../matchers/index.ts'
export * from '../../index.ts'
