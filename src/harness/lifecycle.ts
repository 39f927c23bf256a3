/**
 * Caller-thread work around a block's run: started before setup(), stopped after teardown(), in
 * reverse order, also when the run failed. The hooks a block's options ask for are its services
 * (started for the block, or a shared set) and its fault timeline (during the load).
 */
import { execute, type ExecuteInput } from '../core/execute.ts'
import { inlineRunner, type LoadRunner } from '../core/load-runner.ts'
import type { PerfOptions } from '../core/options.ts'
import type { PreparedBlock } from '../core/run.ts'
import type { RunPlan } from '../core/plan.ts'
import { toError } from '../errors.ts'
import { PerfResult } from '../metrics/result.ts'
import { proxiedServices } from '../services/faults.ts'
import type { ServiceAddress } from '../services/types.ts'
import { faultHook } from './fault-hook.ts'
import { servicesHook } from './services-hook.ts'

export interface LifecycleContext {
  readonly plan: RunPlan
  readonly options: PerfOptions<unknown>
  /** Aborts when the run must stop. */
  readonly signal: AbortSignal | undefined
}

export interface BlockHook {
  /** Before setup(); a hook that throws fails the block, and the hooks started before it are stopped. */
  start?(ctx: LifecycleContext): Promise<void> | void
  /** Wraps the load (after setup, before teardown): work done while it runs. */
  wrapLoad?(run: LoadRunner): LoadRunner
  /** Adds what the hook saw to the result (fault marks). */
  finish?(result: PerfResult): PerfResult
  /** May replace the error that fails the block (with the cause it stands for). */
  failure?(err: unknown): unknown
  /** Text appended to the message of the error that fails the block (services' last log lines). */
  failureNote?(): string
  /** After teardown(), whatever happened. */
  stop?(ctx: LifecycleContext): Promise<void> | void
}

/** What the hooks of one block run share: where each service is reached, filled before setup(). */
export interface BlockWiring {
  readonly hooks: readonly BlockHook[]
  readonly services: Record<string, ServiceAddress>
}

/** The hooks a block's options ask for: none without services. */
export function hooksFor(block: Pick<PreparedBlock, 'faults'>, options: PerfOptions<unknown>): BlockWiring {
  const services: Record<string, ServiceAddress> = {}
  if (options.services === undefined) return { hooks: [], services }
  const serviceHook = servicesHook(options.services, proxiedServices(block.faults), services)
  return { hooks: block.faults.length ? [serviceHook, faultHook(block.faults, serviceHook)] : [serviceHook], services }
}

/**
 * execute() between the hooks: the load runner wrapped by each hook, the result finished by each,
 * and an error's message ending with what the hooks add (the services' logs).
 */
export async function executeWithHooks(hooks: readonly BlockHook[], ctx: LifecycleContext, input: ExecuteInput): Promise<PerfResult> {
  if (hooks.length === 0) return execute(input)
  const finish = (r: PerfResult) => hooks.reduce((acc, h) => h.finish?.(acc) ?? acc, r)
  try {
    return await withHooks(hooks, ctx, async () => {
      const runner = hooks.reduce<LoadRunner>((run, h) => h.wrapLoad?.(run) ?? run, input.runner ?? inlineRunner(input.plan))
      return finish(await execute({ ...input, runner }))
    })
  } catch (raw) {
    const err = hooks.reduce((e, h) => h.failure?.(e) ?? e, raw)
    const partial = (err as { result?: unknown }).result
    if (partial instanceof PerfResult) Object.assign(err as object, { result: finish(partial) })
    const note = hooks.map((h) => h.failureNote?.() ?? '').join('')
    if (note && err instanceof Error && !err.message.includes(note)) err.message += note
    throw err
  }
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
