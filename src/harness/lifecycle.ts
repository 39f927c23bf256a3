/**
 * Caller-thread work around a block's run: started before setup(), stopped after teardown(), in
 * reverse order, also when the run failed. Services and faults (started for the test, a fault
 * timeline during the load) will be such hooks, made from their options; there are none yet.
 */
import type { PerfOptions } from '../core/options.ts'
import type { RunPlan } from '../core/plan.ts'
import { toError } from '../errors.ts'

export interface LifecycleContext {
  readonly plan: RunPlan
  readonly options: PerfOptions<unknown>
  /** Aborts when the run must stop. */
  readonly signal: AbortSignal | undefined
}

export interface BlockHook {
  /** Before setup(); a hook that throws fails the block, and the hooks started before it are stopped. */
  start?(ctx: LifecycleContext): Promise<void> | void
  /** After teardown(), whatever happened. */
  stop?(ctx: LifecycleContext): Promise<void> | void
}

/** The hooks a block's options ask for (services, faults: the next step); none today. */
export function hooksFor(_options: PerfOptions<unknown>): BlockHook[] {
  return []
}

/** Runs `body` between the hooks' start and stop. A stop that throws fails the run unless the body already did. */
export async function withHooks<T>(hooks: readonly BlockHook[], ctx: LifecycleContext, body: () => Promise<T>): Promise<T> {
  const started: BlockHook[] = []
  let failed = false
  try {
    for (const hook of hooks) {
      await hook.start?.(ctx)
      started.push(hook)
    }
    return await body()
  } catch (err) {
    failed = true
    throw err
  } finally {
    let first: unknown
    for (const hook of started.reverse()) {
      try { await hook.stop?.(ctx) } catch (err) { first ??= toError(err) }
    }
    if (first !== undefined && !failed) throw first
  }
}
