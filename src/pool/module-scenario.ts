/**
 * Scenarios whose VU function lives in a module (`fn: './scenarios/send.ts'` or a file URL): the
 * module's default export is the function. Workers load it from a bundle; `workers: 0` imports the
 * same code in this thread. Options travel to workers as JSON, so they must not hold functions
 * other than setup/teardown (which run on the caller's thread).
 */
import { InvalidOptionError } from '../errors.ts'
import { jsonSafeProblem } from '../core/json-safe.ts'
import { withoutCallerOptions } from '../core/caller-options.ts'
import { normalizeOptions } from '../core/normalize.ts'
import { inlineRunner, type LoadRunner } from '../core/load-runner.ts'
import type { PerfOptions, VuFunction } from '../core/options.ts'
import type { RunPlan } from '../core/plan.ts'
import { bundleForModule, bundleModuleFunction } from './bundle.ts'
import { pooledRunner } from './run-pool.ts'

export { modulePathOf, modulePlaceholder } from '../core/module-fn.ts'

/** The options a worker needs, as JSON: everything but what runs on the caller's thread. */
export function travellingOptions(name: string, options: PerfOptions<unknown>): Record<string, unknown> {
  const rest = withoutCallerOptions(options as Record<string, unknown>)
  const problem = jsonSafeProblem(rest, 'options')
  if (problem) throw new InvalidOptionError('options', `"${name}" has its VU function in a module, so its options travel to workers as JSON: ${problem}. Keep functions in the module or in setup/teardown.`)
  return rest
}

export function moduleRunner(plan: RunPlan, modulePath: string, options: PerfOptions<unknown>, workers: number): LoadRunner {
  const travel = travellingOptions(plan.name, options)
  if (workers > 0) {
    return pooledRunner({ file: modulePath, name: plan.name, workers, overrides: {}, profile: plan.profile ?? '', scale: plan.scale,
      segment: plan.segment.stripes, bundle: () => bundleForModule(modulePath, plan.name, travel) })
  }
  return async (data, signal, onSecond) => {
    const { vuFunction } = (await import(await bundleModuleFunction(modulePath))) as { vuFunction: unknown }
    if (typeof vuFunction !== 'function') throw new InvalidOptionError('fn', `${modulePath} must export a VU function as its default export`)
    const real = normalizeOptions(plan.name, options, vuFunction as VuFunction<unknown>, { kind: 'scenario', profile: plan.profile ?? '', scale: plan.scale })
    return inlineRunner({ ...real, segment: plan.segment })(data, signal, onSecond)
  }
}
