/// <reference path="./matchers.d.ts" />
/**
 * `loadspec/jest`: `perf()` and `scenario()` for Jest test files, with the matchers (registered on
 * import, and by `loadspec/jest/setup`) typed for `@jest/globals` and for `@types/jest`'s globals.
 * The reporter is `loadspec/jest/reporter`.
 */
export { perf, scenario, type PerfApi, type Scenario, type ScenarioOverrides } from './perf.ts'
export type { LoadspecMatchers } from '../../matchers/index.ts'
export type { LoadspecPluginOptions as LoadspecReporterOptions } from '../../harness/config.ts'
export * from '../../index.ts'
