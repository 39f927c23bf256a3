/**
 * A run's state directory, `<tmp>/loadspec-runs/<runId>/`: what the watchdog needs to clean up
 * after this process if it dies. `owner.json` names the owner process, `procs/<name>.json` each
 * running process service's group, `containers.json` (present once a container was started)
 * where testcontainers is, so the watchdog reaches the same engine the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REAPER_SOURCE } from './reaper-script.ts'

export interface ProcessRecord {
  readonly pid: number
  readonly startTime: string | undefined
}

interface OwnerRecord extends ProcessRecord {
  readonly runId: string
  readonly watchdog?: ProcessRecord
}

/** Where every run's directory lives. */
export function runsRoot(): string {
  return join(tmpdir(), 'loadspec-runs')
}

/** Fields of /proc/<pid>/stat after the command name (Linux); undefined where there is no /proc entry. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** A process's start time in clock ticks since boot (Linux), to tell it from a later one with its pid. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19]
}

/**
 * True while the recorded process runs (same pid and, where known, same start time). A zombie is
 * not running: a process killed after its parent died waits as a zombie until pid 1 reaps it, and
 * some inits (a container's or a VM's) never do, so signal 0 alone would keep it "alive" for good.
 */
export function isAlive(record: ProcessRecord): boolean {
  try {
    process.kill(record.pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const fields = statFields(record.pid)
  if (fields === undefined) return !existsSync('/proc/self') // gone since signal 0, or no /proc to ask
  if (fields[0] === 'Z' || fields[0] === 'X') return false
  return record.startTime === undefined || fields[19] === record.startTime
}

function writeAtomic(path: string, value: unknown, json = true): void {
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, json ? JSON.stringify(value) : String(value))
  renameSync(temp, path)
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch {
    return undefined
  }
}

/** One run's directory, owned by this process. */
export class RunState {
  readonly dir: string
  readonly #runId: string

  constructor(runId: string) {
    this.#runId = runId
    this.dir = join(runsRoot(), runId)
  }

  /** Whether another live process owns this run id (two sets must not share a directory). */
  ownedByAnother(): boolean {
    const owner = readJson<OwnerRecord>(join(this.dir, 'owner.json'))
    return owner !== undefined && isAlive(owner) && owner.pid !== process.pid
  }

  create(): void {
    mkdirSync(join(this.dir, 'procs'), { recursive: true })
    writeAtomic(join(this.dir, 'owner.json'), { pid: process.pid, startTime: processStartTime(process.pid), runId: this.#runId } satisfies OwnerRecord)
  }

  recordProcess(name: string, pid: number): void {
    writeAtomic(join(this.dir, 'procs', `${encodeURIComponent(name)}.json`), { pid, startTime: processStartTime(pid) } satisfies ProcessRecord)
  }

  forgetProcess(name: string): void {
    rmSync(join(this.dir, 'procs', `${encodeURIComponent(name)}.json`), { force: true })
  }

  /** Notes that containers exist, and the testcontainers entry the watchdog should load. */
  markContainers(testcontainersUrl: string): void {
    writeAtomic(join(this.dir, 'containers.json'), { testcontainers: testcontainersUrl })
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/**
 * The watchdog's script as a file under the runs root, named by a hash of its text (so versions
 * never overwrite each other's): `ps` then shows `node …/reaper-<hash>.mjs <dir>`, not the source.
 */
function reaperScript(): string {
  const path = join(runsRoot(), `reaper-${createHash('sha256').update(REAPER_SOURCE).digest('hex').slice(0, 12)}.mjs`)
  if (!existsSync(path)) {
    mkdirSync(runsRoot(), { recursive: true })
    writeAtomic(path, REAPER_SOURCE, false)
  }
  return path
}

function reaperEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.NODE_OPTIONS // loaders or inspectors meant for the tests have no business in the watchdog
  return env
}

/** Starts the detached watchdog for `dir`. It does not keep this process alive. */
export function startWatchdog(dir: string): ChildProcess {
  const child = spawn(process.execPath, [reaperScript(), dir], { detached: true, stdio: 'ignore', env: reaperEnv() })
  child.on('error', () => undefined)
  child.unref()
  return child
}

/**
 * Cleans up after runs whose owner died and whose watchdog is gone too (the machine's OOM killer
 * may take both): the reaper runs for each of them and sees its owner dead at once.
 * Resolves when those reapers have exited, bounded by `timeoutMs`.
 */
export async function reapAbandonedRuns(exceptRunId: string, timeoutMs = 30_000): Promise<void> {
  let entries: string[]
  try {
    entries = readdirSync(runsRoot())
  } catch {
    return
  }
  const reapers: Promise<void>[] = []
  for (const runId of entries) {
    if (runId === exceptRunId) continue
    const dir = join(runsRoot(), runId)
    const owner = readJson<OwnerRecord>(join(dir, 'owner.json'))
    if (!owner || isAlive(owner)) continue
    if (owner.watchdog && isAlive(owner.watchdog)) continue
    reapers.push(runReaper(dir, timeoutMs))
  }
  await Promise.all(reapers)
}

function runReaper(dir: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [reaperScript(), dir], { stdio: 'ignore', env: reaperEnv(), timeout: timeoutMs, killSignal: 'SIGKILL' })
    child.once('error', () => resolve())
    child.once('exit', () => resolve())
  })
}

/** Adds the watchdog to owner.json, so a later sweep leaves a run its watchdog is cleaning. */
export function recordWatchdog(state: RunState, pid: number): void {
  const path = join(state.dir, 'owner.json')
  const owner = readJson<OwnerRecord>(path)
  if (owner) writeAtomic(path, { ...owner, watchdog: { pid, startTime: processStartTime(pid) } } satisfies OwnerRecord)
}
