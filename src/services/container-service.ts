/**
 * A container service. testcontainers creates and starts it (image resolution, its wait and error
 * handling), always on the host network so its port is this machine's and traffic stays on
 * loopback, and labelled `loadspec.run-id` so the watchdog can find it. Every action after that
 * goes to the engine through the runtime client's dockerode container: testcontainers' own
 * `stop()` removes the container (a fault's `start` needs it kept) and it has no pause.
 *
 * Logs follow the engine's log stream with timestamps; after a stop the stream ends and is
 * attached again on start, skipping lines already seen.
 */
import { PassThrough } from 'node:stream'
import { ServiceError } from '../errors.ts'
import type { RunState } from './run-state.ts'
import { ServiceRunner } from './service-runner.ts'
import { testcontainers, testcontainersUrl, type DockerContainer, type RuntimeClient } from './testcontainers-package.ts'
import type { ContainerOptions } from './types.ts'

export const RUN_ID_LABEL = 'loadspec.run-id'

export interface ContainerLaunch {
  readonly image: string
  /** Command, entrypoint and environment with `{port}` placeholders filled. */
  readonly command: readonly string[] | undefined
  readonly entrypoint: readonly string[] | undefined
  readonly env: Readonly<Record<string, string>>
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z /

export class ContainerService extends ServiceRunner {
  #client: RuntimeClient | undefined
  #container: DockerContainer | undefined
  #gone: string | undefined
  #lastSeen = ''
  #logStream: NodeJS.ReadableStream | undefined
  /** Counts launches: the end of an earlier run's log stream must not mark a new run as exited. */
  #generation = 0

  private readonly spec: ContainerLaunch
  private readonly runState: RunState
  private readonly runId: string

  constructor(name: string, port: number | undefined, spec: ContainerLaunch, options: ContainerOptions, runState: RunState, runId: string) {
    super(name, port, options)
    this.spec = spec
    this.runState = runState
    this.runId = runId
  }

  /** The engine's id of the container, once created. */
  get id(): string | undefined {
    return this.#container?.id
  }

  protected async launch(): Promise<void> {
    this.#gone = undefined
    this.#generation++
    this.#detachLogs()
    if (this.#container) {
      await this.#container.start()
      await this.#followLogs()
      return
    }
    const tc = await testcontainers(this.name)
    this.#client = await tc.getContainerRuntimeClient().catch((err: unknown) => {
      throw new ServiceError(this.name, `service "${this.name}" needs a container engine and none was found (${(err as Error).message})`, [], { cause: err })
    })
    // Before creating: a crash between create and the next line still leaves a labelled container to find.
    this.runState.markContainers(testcontainersUrl())
    let definition = new tc.GenericContainer(this.spec.image)
      .withNetworkMode('host')
      .withLabels({ [RUN_ID_LABEL]: this.runId, 'loadspec.service': this.name })
      .withEnvironment({ ...this.spec.env })
      .withStartupTimeout(this.readyTimeoutMs)
    if (this.spec.command) definition = definition.withCommand([...this.spec.command])
    if (this.spec.entrypoint) definition = definition.withEntrypoint([...this.spec.entrypoint])
    const started = await definition.start()
    this.#container = this.#client.container.getById(started.getId())
    await this.#followLogs()
  }

  async #followLogs(): Promise<void> {
    const container = this.#container
    if (!container || !this.#client) return
    const generation = this.#generation
    const since = this.#lastSeen ? Math.floor(Date.parse(`${this.#lastSeen.slice(0, 19)}Z`) / 1000) : 0
    const raw = await container.logs({ follow: true, stdout: true, stderr: true, timestamps: true, since })
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    this.#client.container.dockerode.modem.demuxStream(raw, stdout, stderr)
    const strip = (stream: string) => (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split(/(?<=\n)/)) {
        const m = TIMESTAMP.exec(line)
        if (!m) {
          this.logs.write(stream, line)
          continue
        }
        const seen = `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}`
        if (seen <= this.#lastSeen) continue
        this.#lastSeen = seen
        this.logs.write(stream, line.slice(m[0].length))
      }
    }
    stdout.on('data', strip('stdout'))
    stderr.on('data', strip('stderr'))
    ;(raw as NodeJS.ReadableStream & { socket?: { unref(): void } }).socket?.unref()
    raw.on('end', () => {
      this.logs.flush()
      if (this.#generation === generation) void this.#noteExit(generation)
    })
    raw.on('error', () => undefined)
    this.#logStream = raw
  }

  /** The log stream ended: the container stopped. Find out how, for readiness and the logs. */
  async #noteExit(generation: number): Promise<void> {
    const inspected = await this.#container?.inspect().catch(() => undefined)
    if (inspected?.State.Running || this.#generation !== generation) return
    this.#gone = `exited with code ${inspected?.State.ExitCode ?? 'unknown'}`
    this.logs.note(this.#gone)
    this.ended()
  }

  gone(): string | undefined {
    return this.#gone
  }

  protected async killNow(): Promise<void> {
    const container = this.#container
    if (!container) return
    await container.kill().catch(ignoreNotRunning)
    await container.wait({ condition: 'not-running' }).catch(() => undefined)
  }

  protected async stopGracefully(): Promise<void> {
    await this.#container?.stop({ t: Math.max(1, Math.ceil(this.stopTimeoutMs / 1000)) }).catch(ignoreNotRunning)
  }

  protected async freeze(): Promise<void> {
    await this.#container?.pause()
  }

  protected async thaw(): Promise<void> {
    await this.#container?.unpause()
  }

  #detachLogs(): void {
    const stream = this.#logStream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined
    this.#logStream = undefined
    stream?.destroy?.()
  }

  async dispose(): Promise<void> {
    const container = this.#container
    this.#generation++
    this.#detachLogs()
    if (container) await container.remove({ force: true, v: true }).catch(() => undefined)
    else await this.#removeByLabel() // a start that failed after the engine created it
    this.#container = undefined
  }

  async #removeByLabel(): Promise<void> {
    const docker = this.#client?.container.dockerode
    if (!docker) return
    const found = await docker.listContainers({ all: true, filters: { label: [`${RUN_ID_LABEL}=${this.runId}`, `loadspec.service=${this.name}`] } }).catch(() => [])
    await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)))
  }

  /** The command check, run inside the container. */
  async runCommand(command: readonly string[]): Promise<number> {
    if (!this.#container || !this.#client) return -1
    const result = await this.#client.container.exec(this.#container, [...command])
    return result.exitCode
  }
}

/** The engine answers 304 (stop) or 409 (kill) for a container that is not running: already done. */
function ignoreNotRunning(err: unknown): void {
  const status = (err as { statusCode?: number }).statusCode
  if (status !== 304 && status !== 409) throw err
}
