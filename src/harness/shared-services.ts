/**
 * The `services` option of a block: named definitions (started for the block and stopped after
 * it), or a handle made by `sharedServices()` at file level that several blocks reference: it is
 * started by the first block that needs it and stays up until `stop()` (e.g. in `afterAll`), so a
 * file pays for start-up once. Either way nothing starts at definition: workers load the test file
 * too, and must never start what the caller's thread runs.
 */
import { randomUUID } from 'node:crypto'
import { InvalidOptionError } from '../errors.ts'
import { startServices } from '../services/service-set.ts'
import type { ServiceDefinition, ServiceSet } from '../services/types.ts'

const SHARED = Symbol.for('loadspec.sharedServices')

/** Services started once and used by several blocks (of one file, or more). */
export interface SharedServices {
  /** The service names, in start order. */
  readonly names: readonly string[]
  /** Starts them (once; later calls get the same set) and resolves when every one is ready. */
  start(): Promise<ServiceSet>
  /** Stops and removes them; a later `start()` starts them again. Safe when never started. */
  stop(): Promise<void>
  /** @internal */
  readonly [SHARED]: true
}

/** What `services:` takes on a block, a scenario, `run()` or a k6-shaped module's options. */
export type ServicesOption = Readonly<Record<string, ServiceDefinition>> | SharedServices

export interface SharedServicesOptions {
  /** Names what it starts (labels, state directory), as `startServices({ runId })`. @default a random id */
  readonly runId?: string
}

/**
 * Services shared by the blocks that name them in `services:`. The first block that runs starts
 * them; none stops them: call `stop()` when the file is done (`afterAll(() => shared.stop())`).
 * Forgotten, they are still removed when the process exits (processes at exit, containers by the
 * watchdog).
 */
export function sharedServices(defs: Readonly<Record<string, ServiceDefinition>>, options: SharedServicesOptions = {}): SharedServices {
  if (typeof defs !== 'object' || defs === null) throw new InvalidOptionError('services', 'sharedServices(): expected an object of named services made by container() or processService()')
  let running: Promise<ServiceSet> | undefined
  return {
    names: Object.keys(defs),
    start() {
      running ??= startServices(defs, { runId: options.runId ?? `shared-${randomUUID().slice(0, 8)}` }).catch((err: unknown) => {
        running = undefined // a failed start may be retried by the next block
        throw err
      })
      return running
    },
    async stop() {
      const set = running
      running = undefined
      if (set) await set.then((s) => s.stopAll(), () => undefined)
    },
    [SHARED]: true,
  }
}

export function isSharedServices(value: unknown): value is SharedServices {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SHARED] === true
}

/** The names of the services an option declares (none without the option). */
export function serviceNames(option: ServicesOption | undefined): string[] {
  if (option === undefined) return []
  return isSharedServices(option) ? [...option.names] : Object.keys(option)
}

/** True for what `container()` or `processService()` returned. */
export function isServiceDefinition(value: unknown): value is ServiceDefinition {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined
  return kind === 'container' || kind === 'process'
}
