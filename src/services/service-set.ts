/**
 * `startServices()`: one call that brings up every service of a run and hands back the
 * `ServiceSet` that reaches, controls and removes them.
 *
 * Order of events: runs abandoned by dead processes are cleaned up; free ports are picked for
 * `port: 0`; the run's state directory and its watchdog come up (before anything starts, so
 * nothing can be orphaned); the services start one after another in the order given, each ready
 * before the next starts. If one fails, or the signal aborts, what started is removed and the
 * call rejects.
 */
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { AbortedError, InvalidOptionError, ServiceError, UsageError } from '../errors.ts'
import { ContainerService } from './container-service.ts'
import { assignPorts, fillPorts } from './ports.ts'
import { ProcessService } from './process-service.ts'
import { reapAbandonedRuns, recordWatchdog, RunState, startWatchdog } from './run-state.ts'
import type { ServiceRunner } from './service-runner.ts'
import type { ServiceAction, ServiceActionResult, ServiceAddress, ServiceDefinition, ServiceSet, StartServicesOptions } from './types.ts'

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/ // never "." or "..": it names a directory that stopAll removes
const NAME = /^[A-Za-z0-9_-]{1,64}$/
const ACTIONS: readonly ServiceAction[] = ['kill', 'stop', 'start', 'restart', 'pause', 'unpause']

/**
 * Keeps the process alive while `work` runs. Children, their pipes and the engine's sockets are
 * unref'd (a forgotten stopAll must not hold a test process open), so without this a script whose
 * only pending work is `await startServices(...)` would exit halfway.
 */
async function holdingOpen<T>(work: () => Promise<T>): Promise<T> {
  const hold = setInterval(() => undefined, 1 << 30)
  try {
    return await work()
  } finally {
    clearInterval(hold)
  }
}

function checkDefinitions(defs: Readonly<Record<string, ServiceDefinition>>): void {
  if (typeof defs !== 'object' || defs === null) throw new InvalidOptionError('services', 'startServices(): expected an object of named services made by container() or processService()')
  for (const [name, def] of Object.entries(defs)) {
    if (!NAME.test(name)) throw new InvalidOptionError(`services.${name}`, `startServices(): the service name "${name}" may hold only letters, digits, "_" and "-" (it appears in {${name}.port} and in labels)`)
    if (typeof def !== 'object' || def === null || (def.kind !== 'container' && def.kind !== 'process')) {
      throw new InvalidOptionError(`services.${name}`, `startServices(): service "${name}" is not a definition; make it with container(image, options) or processService(command, args, options)`)
    }
  }
}

function makeRunner(name: string, def: ServiceDefinition, ports: Record<string, number | undefined>, state: RunState, runId: string): ServiceRunner {
  const port = ports[name]
  const fill = (text: string): string => fillPorts(text, name, ports)
  const env = Object.fromEntries(Object.entries(def.options.env ?? {}).map(([k, v]) => [k, fill(v)]))
  const ready = def.options.ready && 'command' in def.options.ready
    ? { command: def.options.ready.command.map(fill) as [string, ...string[]] }
    : def.options.ready
  const options = { ...def.options, port, ready }
  if (def.kind === 'process') return new ProcessService(name, port, { command: def.command, args: def.args.map(fill), env }, options, state)
  const { command, entrypoint } = def.options as { command?: readonly string[]; entrypoint?: readonly string[] }
  return new ContainerService(name, port, { image: def.image, command: command?.map(fill), entrypoint: entrypoint?.map(fill), env }, options, state, runId)
}

function addressOf(runner: ServiceRunner, def: ServiceDefinition): ServiceAddress {
  const { host, port } = runner
  const protocol = def.options.protocol ?? (def.options.ready && 'http' in def.options.ready ? 'http' : undefined)
  if (port === undefined) return { host, address: host }
  return { host, port, address: `${host}:${port}`, ...(protocol ? { url: `${protocol}://${host}:${port}` } : {}) }
}

/**
 * Starts `defs` in order and resolves once every one is ready.
 * @throws {ServiceError} when a service cannot start or is not ready in time (with its last log lines)
 * @throws {AbortedError} when `signal` aborts during start-up
 * @throws {InvalidOptionError} for a bad name, definition or `{name.port}` placeholder
 */
export async function startServices(defs: Readonly<Record<string, ServiceDefinition>>, options: StartServicesOptions = {}): Promise<ServiceSet> {
  checkDefinitions(defs)
  const runId = options.runId ?? randomUUID()
  if (!RUN_ID.test(runId)) throw new InvalidOptionError('runId', `startServices(): runId "${runId}" must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (up to 64)`)
  const { signal } = options
  if (signal?.aborted) throw new AbortedError('Service start-up was aborted', { cause: signal.reason })

  const state = new RunState(runId)
  if (state.ownedByAnother()) throw new UsageError(`startServices(): runId "${runId}" is in use by another running process; give each run its own id`)
  await reapAbandonedRuns(runId)
  const requested = Object.fromEntries(Object.entries(defs).map(([name, def]) => [name, def.options.port]))
  const ports = await assignPorts(requested)
  const runners = new Map(Object.entries(defs).map(([name, def]) => [name, makeRunner(name, def, ports, state, runId)]))

  state.create()
  const watchdog = startWatchdog(state.dir)
  if (watchdog.pid !== undefined) recordWatchdog(state, watchdog.pid)
  const set = new RunningServices(runId, defs, runners, state, watchdog)

  try {
    await holdingOpen(async () => {
      for (const runner of runners.values()) await runner.start(signal)
    })
  } catch (err) {
    await set.stopAll()
    throw err
  }
  if (signal) {
    const onAbort = (): void => void set.stopAll()
    signal.addEventListener('abort', onAbort, { once: true })
    set.onStop(() => signal.removeEventListener('abort', onAbort))
  }
  return set
}

class RunningServices implements ServiceSet {
  readonly names: readonly string[]
  #stopping: Promise<void> | undefined
  readonly #onStop: (() => void)[] = []
  readonly #onExit = (): void => {
    // The process is ending without stopAll(): processes can still be killed synchronously here;
    // containers need the engine, so the watchdog removes them.
    for (const runner of this.runners.values()) if (runner instanceof ProcessService) runner.signalGroup('SIGKILL')
  }

  readonly runId: string
  private readonly defs: Readonly<Record<string, ServiceDefinition>>
  private readonly runners: ReadonlyMap<string, ServiceRunner>
  private readonly state: RunState
  private readonly watchdog: ChildProcess

  constructor(runId: string, defs: Readonly<Record<string, ServiceDefinition>>, runners: ReadonlyMap<string, ServiceRunner>, state: RunState, watchdog: ChildProcess) {
    this.runId = runId
    this.defs = defs
    this.runners = runners
    this.state = state
    this.watchdog = watchdog
    this.names = [...runners.keys()]
    process.on('exit', this.#onExit)
  }

  #runner(name: string, what: string): ServiceRunner {
    const runner = this.runners.get(name)
    if (!runner) throw new UsageError(`services.${what}("${name}"): no service of that name; the services are ${this.names.map((n) => `"${n}"`).join(', ') || 'none'}`)
    if (this.#stopping) throw new ServiceError(name, `services.${what}("${name}"): the services were stopped (stopAll)`)
    return runner
  }

  get(name: string): ServiceAddress {
    const runner = this.#runner(name, 'get')
    return addressOf(runner, this.defs[name] as ServiceDefinition)
  }

  addresses(): Readonly<Record<string, ServiceAddress>> {
    return Object.fromEntries(this.names.map((name) => [name, this.get(name)]))
  }

  logs(name: string): readonly string[] {
    const runner = this.runners.get(name)
    if (!runner) throw new UsageError(`services.logs("${name}"): no service of that name; the services are ${this.names.map((n) => `"${n}"`).join(', ')}`)
    return runner.logs.lines()
  }

  async act(name: string, action: ServiceAction): Promise<ServiceActionResult> {
    if (!ACTIONS.includes(action)) throw new UsageError(`services.act("${name}", ${JSON.stringify(action)}): the action must be one of ${ACTIONS.join(', ')}`)
    const runner = this.#runner(name, 'act')
    const startedAt = Date.now()
    await holdingOpen(() => runner.act(action))
    return { service: name, action, startedAt, endedAt: Date.now() }
  }

  /** Runs `fn` once everything is stopped. */
  onStop(fn: () => void): void {
    this.#onStop.push(fn)
  }

  stopAll(): Promise<void> {
    this.#stopping ??= holdingOpen(() => this.#stop())
    return this.#stopping
  }

  async #stop(): Promise<void> {
    // Reverse order: a service stops before those it may depend on.
    for (const runner of [...this.runners.values()].reverse()) await runner.dispose()
    process.off('exit', this.#onExit)
    for (const fn of this.#onStop.splice(0)) fn()
    this.state.remove()
    // It would leave by itself once the directory is gone; ending it now leaves nothing running.
    if (this.watchdog.exitCode === null && this.watchdog.signalCode === null && this.watchdog.pid !== undefined) {
      const exited = once(this.watchdog, 'exit')
      this.watchdog.kill('SIGTERM')
      await exited
    }
  }
}
