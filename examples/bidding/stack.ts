/**
 * Starts the whole bidding system as separate processes: redis-server, nats-server (JetStream on
 * disk), a throwaway Postgres cluster, then the bid API, the broadcast service and the archival
 * worker (processes.ts has the table). Ports are picked once and kept, so a service killed and
 * started again comes back where its clients look for it.
 */
import { mkdirSync, chmodSync, chownSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { RunningProcess, StackError } from './process-runner.ts'
import { SERVICE_NAMES, biddingProcesses, onPath, postgresBinDir, postgresUser, type ServiceName } from './processes.ts'

export { StackError } from './process-runner.ts'
export type { ServiceName } from './processes.ts'

export interface BiddingStack {
  /** Bid API, `http://127.0.0.1:port`. */
  readonly api: string
  /** Broadcast service, `http://…` (viewers: `ws://…/items/:id`). */
  readonly broadcast: string
  /** Archival worker's stats, `http://…`. */
  readonly archiver: string
  readonly redisUrl: string
  readonly natsUrl: string
  /** `postgres://bidding@127.0.0.1:port/postgres`, table `bids`. */
  readonly postgresUrl: string
  /** Process group id per running service (null while one is down). */
  pids(): Record<ServiceName, number | null>
  logs(name: ServiceName): readonly string[]
  /** SIGKILL: no clean shutdown, as a crash. Resolves when every process of it is gone. */
  kill(name: ServiceName): Promise<void>
  /** Starts a service again on its port; resolves when it is ready. */
  start(name: ServiceName): Promise<void>
  /** Stops everything (services first, then the stores); safe to call twice. */
  stop(): Promise<void>
}

/** Why the stack cannot run on this machine, or null when it can. */
export function biddingStackUnavailable(): string | null {
  const needed = ['redis-server', 'nats-server', ...(process.getuid?.() === 0 ? ['setpriv'] : [])]
  const missing = needed.filter((c) => onPath(c) === null)
  if (postgresBinDir() === null) missing.push('postgres (/usr/lib/postgresql/<version>/bin)')
  if (missing.length > 0) return `not installed: ${missing.join(', ')} (scripts/example-services.sh installs them from Debian)`
  if (!process.features.typescript) return `Node ${process.version} cannot run the TypeScript services (needs Node ≥ 22.18)`
  if (process.getuid?.() === 0 && postgresUser() === null) return 'running as root and no postgres/nobody user to run Postgres as'
  return null
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

const fill = (text: string, ports: Readonly<Record<string, number>>, own: number) =>
  text.replace(/\{(?:(\w+)\.)?port\}/g, (_, name: string | undefined) => String(name === undefined ? own : ports[name]))

export interface BiddingStackOptions {
  /** An empty directory for this stack's data (JetStream store, Postgres cluster). */
  readonly dir: string
  /** Bids the API buffers while NATS is unreachable; beyond it the oldest are lost. @default 100000 */
  readonly outboxLimit?: number
}

/**
 * @throws {StackError} when a service does not become ready; whatever started is stopped first.
 */
export async function startBiddingStack(options: BiddingStackOptions): Promise<BiddingStack> {
  const why = biddingStackUnavailable()
  if (why) throw new StackError(`the bidding stack cannot start: ${why}`, 'stack')
  const pgBin = postgresBinDir() as string
  const user = postgresUser()
  mkdirSync(options.dir, { recursive: true })
  const pgData = join(options.dir, 'postgres')
  mkdirSync(pgData, { recursive: true, mode: 0o700 })
  if (user) {
    // Postgres runs as another user: it must own its data directory and reach it.
    chownSync(pgData, user.uid, user.gid)
    chmodSync(options.dir, statSync(options.dir).mode | 0o011)
  }
  const table = biddingProcesses({ dir: options.dir, pgBin, pgUser: user, node: process.execPath, outboxLimit: options.outboxLimit ?? 100_000 })
  const ports: Record<string, number> = {}
  for (const def of table) ports[def.name] = await freePort()
  const procs = new Map<ServiceName, RunningProcess>()
  for (const def of table) {
    const own = ports[def.name] as number
    const env = Object.fromEntries(Object.entries(def.env ?? {}).map(([k, v]) => [k, fill(v, ports, own)]))
    procs.set(def.name, new RunningProcess(def, { args: def.args.map((a) => fill(a, ports, own)), env }, own))
  }
  const get = (name: ServiceName): RunningProcess => {
    const p = procs.get(name)
    if (!p) throw new StackError(`no service "${name}" in the bidding stack; it has ${SERVICE_NAMES.join(', ')}`, name)
    return p
  }
  let stopping: Promise<void> | null = null
  const stop = () => (stopping ??= (async () => {
    const errors: unknown[] = []
    for (const p of [...procs.values()].reverse()) await p.stop().catch((e: unknown) => { errors.push(e) })
    if (errors.length > 0) throw new StackError('the bidding stack did not stop cleanly', 'stack', { cause: errors[0] })
  })())
  try {
    for (const p of procs.values()) await p.start()
  } catch (err) {
    await stop().catch(() => {})
    throw err
  }
  const url = (name: ServiceName, scheme = 'http') => `${scheme}://127.0.0.1:${ports[name]}`
  return {
    api: url('api'),
    broadcast: url('broadcast'),
    archiver: url('archiver'),
    redisUrl: url('redis', 'redis'),
    natsUrl: url('nats', 'nats'),
    postgresUrl: `postgres://bidding@127.0.0.1:${ports['postgres']}/postgres`,
    pids: () => Object.fromEntries(SERVICE_NAMES.map((n) => [n, get(n).pid])) as Record<ServiceName, number | null>,
    logs: (name) => get(name).logs(),
    kill: (name) => get(name).kill(),
    start: (name) => get(name).start(),
    stop,
  }
}
