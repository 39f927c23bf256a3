/**
 * What a process service and a container have in common: start = launch + wait until ready (or
 * fail with the service's last log lines), restart = stop + start, and the state every action
 * checks first. Subclasses launch, signal and remove; they never wait for readiness themselves.
 */
import { parseDurationOrNull } from '../core/duration.ts'
import { ServiceError, isLoadspecError } from '../errors.ts'
import { LogLines } from './log-lines.ts'
import { watchReadiness, type ReadinessTarget } from './readiness.ts'
import type { ReadyCheck, ServiceAction, ServiceCommonOptions } from './types.ts'

/** How many log lines an error message shows (all kept lines are in `error.logs`). */
const LINES_IN_MESSAGE = 20
const DEFAULT_READY_MS = 30_000
const DEFAULT_STOP_MS = 10_000

export type RunnerState = 'stopped' | 'running' | 'paused'

export abstract class ServiceRunner implements ReadinessTarget {
  readonly logs: LogLines
  readonly host = '127.0.0.1'
  protected state: RunnerState = 'stopped'
  protected readonly readyCheck: ReadyCheck | undefined
  protected readonly readyTimeoutMs: number
  protected readonly stopTimeoutMs: number

  readonly name: string
  readonly port: number | undefined

  constructor(name: string, port: number | undefined, options: ServiceCommonOptions) {
    this.name = name
    this.port = port
    this.logs = new LogLines(options.logLines ?? 1000)
    this.readyCheck = options.ready ?? (port !== undefined ? { port: true } : undefined)
    this.readyTimeoutMs = (options.readyTimeout !== undefined ? parseDurationOrNull(options.readyTimeout) : null) ?? DEFAULT_READY_MS
    this.stopTimeoutMs = (options.stopTimeout !== undefined ? parseDurationOrNull(options.stopTimeout) : null) ?? DEFAULT_STOP_MS
  }

  /** Starts the service (its process, or a stopped container again) without waiting. */
  protected abstract launch(signal?: AbortSignal): Promise<void>
  /** SIGKILL; resolves once it is gone. */
  protected abstract killNow(): Promise<void>
  /** SIGTERM, SIGKILL after `stopTimeoutMs`; resolves once it is gone. */
  protected abstract stopGracefully(): Promise<void>
  protected abstract freeze(): Promise<void>
  protected abstract thaw(): Promise<void>
  /** Removes everything (stopAll): the process group, or the container itself. Never throws. */
  abstract dispose(): Promise<void>
  abstract runCommand(command: readonly string[], timeoutMs: number): Promise<number>
  abstract gone(): string | undefined

  /**
   * Launches and waits until ready. A service that exits first or misses the deadline is killed
   * and fails with a ServiceError that holds its last lines.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'stopped') throw this.error(`cannot start: it is ${this.state}`)
    const watch = watchReadiness(this.readyCheck, this, this.readyTimeoutMs, signal)
    try {
      await this.launch(signal)
    } catch (err) {
      watch.cancel()
      await this.killNow().catch(() => undefined)
      if (isLoadspecError(err)) throw err
      throw this.error(`could not be started: ${(err as Error).message}`, err)
    }
    this.state = 'running'
    let notReady
    try {
      notReady = await watch.wait()
    } catch (err) {
      await this.killNow().catch(() => undefined)
      this.state = 'stopped'
      throw err // aborted
    }
    if (notReady) {
      await this.killNow().catch(() => undefined)
      this.state = 'stopped'
      throw this.error(notReady.reason)
    }
  }

  async act(action: ServiceAction): Promise<void> {
    switch (action) {
      case 'start': return this.start()
      case 'kill':
        if (this.state === 'stopped') return
        await this.killNow()
        this.state = 'stopped'
        return
      case 'stop':
        if (this.state === 'stopped') return
        await this.stopGracefully()
        this.state = 'stopped'
        return
      case 'restart':
        await this.act('stop')
        return this.start()
      case 'pause':
        if (this.state !== 'running') throw this.error(`cannot pause: it is ${this.state}`)
        await this.freeze()
        this.state = 'paused'
        return
      case 'unpause':
        if (this.state !== 'paused') throw this.error(`cannot unpause: it is ${this.state}`)
        await this.thaw()
        this.state = 'running'
    }
  }

  /** Called when the service ended by itself (crash, or killed from outside). */
  protected ended(): void {
    this.state = 'stopped'
  }

  protected error(reason: string, cause?: unknown): ServiceError {
    const logs = this.logs.lines()
    const tail = logs.slice(-LINES_IN_MESSAGE)
    const shown = tail.length ? `\n  last ${tail.length} of its log lines:\n    ${tail.join('\n    ')}` : '\n  (it printed nothing)'
    return new ServiceError(this.name, `service "${this.name}" ${reason}${shown}`, logs, cause === undefined ? undefined : { cause })
  }
}
