/**
 * Runs one process definition: spawns it in its own process group (so a kill reaches whatever it
 * forked: Postgres backends), keeps its last output lines, waits for its readiness
 * check within a deadline, and kills or stops it, waiting until the whole group is gone: a restart
 * on the same port or data directory needs the old processes out of the way.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { get } from 'node:http'
import { connect } from 'node:net'
import type { ProcessDefinition } from './processes.ts'

export class StackError extends Error {
  override readonly name = 'BiddingStackError'
  /** The service that failed, or `stack`. */
  readonly service: string
  constructor(message: string, service: string, options?: { cause?: unknown }) {
    super(message, options)
    this.service = service
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** True while any process of group `pgid` exists (signal 0 checks without signalling). */
export function groupAlive(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}

export class RunningProcess {
  // Kept after the leader exits until kill/stop reaps its group: its children may outlive it.
  private child: ChildProcess | null = null
  private alive = false
  private exited: Promise<void> = Promise.resolve()
  private readonly lines: string[] = []
  private onLine: ((line: string) => void) | null = null

  readonly def: ProcessDefinition
  readonly port: number
  /** Arguments and environment with every placeholder filled in. */
  private readonly resolved: { args: readonly string[]; env: Readonly<Record<string, string>> }

  constructor(def: ProcessDefinition, resolved: { args: readonly string[]; env: Readonly<Record<string, string>> }, port: number) {
    this.def = def
    this.resolved = resolved
    this.port = port
  }

  /** The process group id (= the leader's pid) while running, else null. */
  get pid(): number | null { return this.alive ? this.child?.pid ?? null : null }

  logs(): readonly string[] { return this.lines }

  /** Starts the process and resolves once it is ready; on failure nothing of it is left running. */
  async start(): Promise<void> {
    if (this.alive) return
    await this.kill() // what is left of an earlier run that died by itself
    const child = spawn(this.def.command, [...this.resolved.args], {
      env: { ...process.env, ...this.resolved.env },
      detached: true, // own process group
      // stdin stays a pipe: the Node services exit when it closes, i.e. when we die.
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.child = child
    this.alive = true
    let exitInfo: string | null = null
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => { exitInfo = signal ?? `code ${code}`; resolve() })
      child.once('error', (err) => { exitInfo = err.message; resolve() })
    })
    void this.exited.then(() => { if (this.child === child) this.alive = false })
    let partial = ''
    const take = (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) {
        this.lines.push(line)
        if (this.lines.length > 500) this.lines.shift()
        this.onLine?.(line)
      }
    }
    child.stdout?.on('data', take)
    child.stderr?.on('data', take)
    child.stdin?.on('error', () => {})
    try {
      await this.waitReady(() => exitInfo)
    } catch (err) {
      await this.kill()
      throw err
    }
  }

  private async waitReady(exitInfo: () => string | null): Promise<void> {
    const deadline = Date.now() + this.def.readyTimeout
    const failed = (why: string) => new StackError(
      `${this.def.name} ${why}; its last output:\n  ${this.lines.slice(-15).join('\n  ') || '(none)'}`, this.def.name)
    const ready = this.def.ready
    if ('log' in ready) {
      if (this.lines.some((l) => ready.log.test(l))) return
      let seen = false
      this.onLine = (l) => { if (ready.log.test(l)) seen = true }
      try {
        while (!seen) {
          if (exitInfo()) throw failed(`exited (${exitInfo()}) before it was ready`)
          if (Date.now() > deadline) throw failed(`was not ready within ${this.def.readyTimeout} ms`)
          await Promise.race([sleep(25), this.exited])
        }
      } finally { this.onLine = null }
      return
    }
    for (;;) {
      if (exitInfo()) throw failed(`exited (${exitInfo()}) before it was ready`)
      if (Date.now() > deadline) throw failed(`was not ready within ${this.def.readyTimeout} ms`)
      if ('http' in ready ? await httpOk(this.port, ready.http) : await tcpOpen(this.port)) return
      await sleep(50)
    }
  }

  /** SIGKILL to the whole group, then waits until the group is gone. Safe when not running. */
  async kill(): Promise<void> {
    const pid = this.child?.pid
    if (pid === undefined) return
    try { process.kill(-pid, 'SIGKILL') } catch { /* already gone */ }
    await this.reap(pid, 10_000)
  }

  /** SIGTERM to the group; SIGKILL after `stopTimeout`; waits until the group is gone. */
  async stop(): Promise<void> {
    const pid = this.child?.pid
    if (pid === undefined) return
    try { process.kill(-pid, 'SIGTERM') } catch { /* already gone */ }
    const deadline = Date.now() + this.def.stopTimeout
    while (groupAlive(pid) && Date.now() < deadline) await sleep(25)
    await this.kill()
    await this.reap(pid, 10_000)
  }

  private async reap(pid: number, ms: number): Promise<void> {
    const child = this.child
    const deadline = Date.now() + ms
    await Promise.race([this.exited, sleep(ms)])
    while (groupAlive(pid)) {
      if (Date.now() > deadline) throw new StackError(`${this.def.name}: processes of group ${pid} survived SIGKILL for ${ms} ms`, this.def.name)
      try { process.kill(-pid, 'SIGKILL') } catch { /* gone meanwhile */ }
      await sleep(25)
    }
    for (const stream of [child?.stdin, child?.stdout, child?.stderr]) stream?.destroy()
    if (this.child === child) { this.child = null; this.alive = false }
  }
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.setTimeout(1_000)
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
    s.once('timeout', () => { s.destroy(); resolve(false) })
  })
}

// node:http without an agent: no pooled keep-alive socket stays open after the check.
function httpOk(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 1_000 }, (res) => {
      res.resume()
      resolve((res.statusCode ?? 500) < 500)
    })
    req.once('error', () => resolve(false))
    req.once('timeout', () => { req.destroy(); resolve(false) })
  })
}
