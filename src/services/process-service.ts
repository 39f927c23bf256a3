/**
 * A process service: `command args` spawned without a shell as the leader of its own process group
 * (`detached`), so signals sent to the group (`kill(-pid)`) reach everything it started. Its pid
 * and start time are recorded in the run's state directory for the watchdog. The child and its
 * pipes are unref'd: a forgotten `stopAll()` does not hold the test process open, and the
 * process-exit hook of the set (or the watchdog) kills the group.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { Readable, Writable } from 'node:stream'
import type { RunState } from './run-state.ts'
import { ServiceRunner } from './service-runner.ts'
import type { ProcessOptions } from './types.ts'

export interface ProcessLaunch {
  readonly command: string
  readonly args: readonly string[]
  /** The environment with `{port}` placeholders filled. */
  readonly env: Readonly<Record<string, string>>
}

export class ProcessService extends ServiceRunner {
  #child: ChildProcess | undefined
  #exited: Promise<unknown> = Promise.resolve()
  #gone: string | undefined

  private readonly launchSpec: ProcessLaunch
  private readonly options: ProcessOptions
  private readonly runState: RunState

  constructor(name: string, port: number | undefined, launchSpec: ProcessLaunch, options: ProcessOptions, runState: RunState) {
    super(name, port, options)
    this.launchSpec = launchSpec
    this.options = options
    this.runState = runState
  }

  /** The group leader's pid while it runs. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined
  }

  protected async launch(): Promise<void> {
    const env = this.options.inheritEnv === false ? { ...this.launchSpec.env } : { ...process.env, ...this.launchSpec.env }
    // stdin is a pipe held open and never written to, closed when the process ends: a service
    // that exits when its stdin closes (a common guard against outliving its parent) keeps
    // running for the set's life, and still ends by itself if this process dies (the kernel
    // closes the pipe). A closed stdin ('ignore') would end such a service at once.
    const child = spawn(this.launchSpec.command, [...this.launchSpec.args], {
      cwd: this.options.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'],
    })
    child.stdin?.on('error', () => undefined) // EPIPE once the process is gone
    ;(child.stdin as (Writable & { unref?: () => void }) | null)?.unref?.()
    this.#child = child
    this.#gone = undefined
    const exited = once(child, 'exit').catch(() => undefined)
    this.#exited = Promise.race([exited, once(child, 'error').catch(() => undefined)])
    child.on('error', (err) => {
      this.#gone ??= `could not be started (${err.message})`
      this.logs.note(this.#gone)
      this.ended()
    })
    child.on('exit', (code, signal) => {
      child.stdin?.destroy()
      this.logs.flush()
      this.#gone = signal ? `was ended by ${signal}` : `exited with code ${code}`
      this.logs.note(this.#gone)
      this.runState.forgetProcess(this.name)
      if (this.#child === child) this.ended()
    })
    this.#pipe(child.stdout, 'stdout')
    this.#pipe(child.stderr, 'stderr')
    child.unref()
    if (child.pid !== undefined) this.runState.recordProcess(this.name, child.pid)
    // 'spawn' or 'error' (ENOENT, EACCES) comes next; a failed spawn must fail the start, not pass a check.
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', reject)
    })
  }

  #pipe(stream: Readable | null, name: string): void {
    if (!stream) return
    stream.on('data', (chunk: Buffer) => this.logs.write(name, chunk))
    ;(stream as Readable & { unref?: () => void }).unref?.()
  }

  gone(): string | undefined {
    return this.#gone
  }

  /** Sends `signal` to the whole group; false when it no longer exists. */
  signalGroup(signal: NodeJS.Signals): boolean {
    const pid = this.#child?.pid
    if (pid === undefined) return false
    try {
      process.kill(-pid, signal)
      return true
    } catch {
      return false
    }
  }

  protected async killNow(): Promise<void> {
    this.signalGroup('SIGKILL')
    await this.#exited
  }

  protected async stopGracefully(): Promise<void> {
    this.signalGroup('SIGTERM')
    this.signalGroup('SIGCONT') // a paused group would otherwise keep SIGTERM pending
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(resolve, this.stopTimeoutMs, 'late') })
    const outcome = await Promise.race([this.#exited, late])
    clearTimeout(timer)
    if (outcome === 'late') this.logs.note(`did not stop within ${this.stopTimeoutMs} ms of SIGTERM; killed`)
    // The leader is gone (or late): whatever it left in its group goes too.
    this.signalGroup('SIGKILL')
    await this.#exited
  }

  protected async freeze(): Promise<void> {
    this.signalGroup('SIGSTOP')
  }

  protected async thaw(): Promise<void> {
    this.signalGroup('SIGCONT')
  }

  async dispose(): Promise<void> {
    this.signalGroup('SIGKILL')
    await this.#exited
    this.runState.forgetProcess(this.name)
    this.#child?.stdout?.destroy()
    this.#child?.stderr?.destroy()
  }

  /** The command check, run on this machine with the service's environment. */
  runCommand(command: readonly string[], timeoutMs: number): Promise<number> {
    const env = this.options.inheritEnv === false ? { ...this.launchSpec.env } : { ...process.env, ...this.launchSpec.env }
    return new Promise((resolve) => {
      const [file, ...args] = command
      const check = spawn(file ?? '', args, { cwd: this.options.cwd, env, stdio: 'ignore', timeout: timeoutMs, killSignal: 'SIGKILL' })
      check.once('error', () => resolve(-1))
      check.once('exit', (code) => resolve(code ?? -1))
    })
  }
}
