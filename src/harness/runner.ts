/**
 * Where a block's load runs and how its options reach execute(): one mapping for every host
 * (perf blocks and scenarios under any runner, `run()`, `loadspec run`).
 */
import type { ExecuteInput } from '../core/execute.ts'
import type { LoadRunner } from '../core/load-runner.ts'
import type { PerfOptions, ServiceAddresses } from '../core/options.ts'
import type { PreparedBlock } from '../core/run.ts'
import { callerOptions } from '../core/caller-options.ts'
import { InvalidOptionError } from '../errors.ts'
import type { PerfResult } from '../metrics/result.ts'
import { bundleFor, type RunnerStub } from '../pool/bundle.ts'
import { moduleRunner } from '../pool/module-scenario.ts'
import { pooledRunner, resolveWorkers } from '../pool/run-pool.ts'

/** Perf blocks and scenarios run off the test's thread by default, so the load never competes with the runner's loop. */
export const DEFAULT_WORKERS = 1

export interface RunnerPlace {
  /** The file whose inline functions workers load; undefined outside a test file. */
  readonly file: string | undefined
  /** JSON-safe overrides workers apply to the file's options (scenario.run(), CLI flags). */
  readonly overrides: Readonly<Record<string, unknown>>
  readonly stub: RunnerStub
  readonly defaultWorkers: number
  /** The error's text when workers are asked for but there is no file to load. */
  readonly noFile: string
}

/** The pool runner for a block, or undefined for `workers: 0` (the caller's own thread). */
export function runnerFor(block: PreparedBlock, options: PerfOptions<unknown>, place: RunnerPlace): LoadRunner | undefined {
  const { plan } = block
  const workers = resolveWorkers(plan.workers, place.defaultWorkers)
  if (block.modulePath) return moduleRunner(plan, block.modulePath, options, workers)
  if (workers === 0) return undefined
  const { file } = place
  if (!file) throw new InvalidOptionError('workers', place.noFile)
  return pooledRunner({ file, name: plan.name, workers, overrides: place.overrides, profile: plan.profile ?? '', scale: plan.scale,
    segment: plan.segment.stripes, bundle: () => bundleFor(file, place.stub) })
}

/** How the host runs the block beyond its options. */
export interface RunExtras {
  readonly runner: LoadRunner | undefined
  /** Wins over the options' own `signal` when set. */
  readonly signal?: AbortSignal | undefined
  readonly onProgress?: ((live: PerfResult) => void) | undefined
  readonly startAt?: number | undefined
  /**
   * Where each service is reached: filled by the services hook before setup() runs (so it is read
   * then, not now); setup() and teardown() get it.
   */
  readonly services?: ServiceAddresses | undefined
}

/** The block, its caller-thread options and the host's extras, as execute() takes them. */
export function executeInput(block: PreparedBlock, options: PerfOptions<unknown>, extras: RunExtras): ExecuteInput {
  const caller = callerOptions(options)
  const services = extras.services ?? {}
  const { setup, teardown } = caller
  // Without setup and data, the VUs still need to reach the services: their data is the addresses.
  const defaultSetup = caller.services !== undefined && caller.data === undefined ? () => ({ services }) : undefined
  return { ...block, setup: setup ? () => setup(services) : defaultSetup, teardown: teardown && ((d: unknown) => teardown(d, services)), data: caller.data,
    signal: extras.signal ?? caller.signal, onProgress: 'onProgress' in extras ? extras.onProgress : caller.onProgress, runner: extras.runner, startAt: extras.startAt }
}
