/**
 * The bidding stack as one table of process definitions, in start order. Each entry has the shape
 * of loadspec's `processService(command, args, options)` (`{port}` and `{other.port}` in arguments
 * and environment values, `ready` as `{ port }`, `{ http }` or `{ log }`), so the suite can move to
 * the services runtime by mapping entry for entry; until then stack.ts runs them itself.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export type ReadyCheck = { readonly port: true } | { readonly http: string } | { readonly log: RegExp }

export interface ProcessDefinition {
  readonly name: ServiceName
  readonly command: string
  readonly args: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  readonly ready: ReadyCheck
  /** ms until `ready` must hold. */
  readonly readyTimeout: number
  /** ms `stop` waits after SIGTERM before SIGKILL. */
  readonly stopTimeout: number
  /** Scheme of the service's URL. */
  readonly protocol: string
}

export const SERVICE_NAMES = ['redis', 'nats', 'postgres', 'api', 'broadcast', 'archiver'] as const
export type ServiceName = (typeof SERVICE_NAMES)[number]

/** Where Debian's PostgreSQL binaries are (`/usr/lib/postgresql/<major>/bin`, newest major), or null. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const majors = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
  for (const v of majors) if (existsSync(join(root, v, 'bin', 'postgres'))) return join(root, v, 'bin')
  return null
}

/** `which`, without a shell. */
export function onPath(command: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/usr/bin'])) {
    if (dir && existsSync(join(dir, command))) return join(dir, command)
  }
  return null
}

/**
 * Postgres refuses to run as root. As root we run it as the `postgres` user Debian's package
 * creates, through util-linux's `setpriv`, which changes user and execs: no parent stays between
 * us and postgres (runuser would, and waits 2 s on SIGTERM before it exits).
 */
export function postgresUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim())
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim())
      return { name, uid, gid }
    } catch { /* try the next one */ }
  }
  return null
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

export interface TableContext {
  /** The stack's directory: JetStream store, Postgres cluster and socket live under it. */
  readonly dir: string
  readonly pgBin: string
  /** Who runs Postgres when we are root. */
  readonly pgUser: { readonly uid: number; readonly gid: number } | null
  /** The Node binary that runs the TypeScript services (Node ≥ 22.18 strips types itself). */
  readonly node: string
  /** The bid API's OUTBOX_LIMIT. */
  readonly outboxLimit: number
}

export function biddingProcesses(ctx: TableContext): readonly ProcessDefinition[] {
  const pgData = join(ctx.dir, 'postgres')
  // initdb on first start only; `exec` so the process we watch and signal is postgres itself.
  const pgScript = `test -f "$PGDATA/PG_VERSION" || "${ctx.pgBin}/initdb" -D "$PGDATA" -U bidding --auth=trust -E UTF8 --no-sync >/dev/null; `
    + `exec "${ctx.pgBin}/postgres" -D "$PGDATA" -k "$PGDATA" -p {port} -c listen_addresses=127.0.0.1 `
    // fsync off: a killed server still leaves every commit in the kernel's page cache, which is the
    // failure the suites make; synchronous_commit stays on, so an acknowledged row is in the WAL.
    + '-c fsync=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=20'
  const asPgUser = (args: string[]) => (ctx.pgUser
    ? ['setpriv', ['--reuid', String(ctx.pgUser.uid), '--regid', String(ctx.pgUser.gid), '--clear-groups', '--', ...args]]
    : [args[0], args.slice(1)]) as [string, string[]]
  const [pgCommand, pgArgs] = asPgUser(['sh', '-c', pgScript])
  const node = (file: string, env: Record<string, string>): Pick<ProcessDefinition, 'command' | 'args' | 'env' | 'ready' | 'protocol'> =>
    ({ command: ctx.node, args: [here(file)], env: { PORT: '{port}', ...env }, ready: { http: '/health' }, protocol: 'http' })
  return [
    { name: 'redis', command: 'redis-server', args: ['--port', '{port}', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ready: { log: /Ready to accept connections/ }, readyTimeout: 15_000, stopTimeout: 5_000, protocol: 'redis' },
    { name: 'nats', command: 'nats-server', args: ['-a', '127.0.0.1', '-p', '{port}', '-js', '-sd', join(ctx.dir, 'jetstream')],
      ready: { log: /Server is ready/ }, readyTimeout: 15_000, stopTimeout: 5_000, protocol: 'nats' },
    { name: 'postgres', command: pgCommand, args: pgArgs, env: { PGDATA: pgData },
      ready: { log: /database system is ready to accept connections/ }, readyTimeout: 60_000, stopTimeout: 10_000, protocol: 'postgres' },
    { name: 'api', ...node('./bid-api.ts', { REDIS_URL: 'redis://127.0.0.1:{redis.port}', NATS_URL: 'nats://127.0.0.1:{nats.port}', OUTBOX_LIMIT: String(ctx.outboxLimit) }), readyTimeout: 20_000, stopTimeout: 5_000 },
    { name: 'broadcast', ...node('./broadcast.ts', { NATS_URL: 'nats://127.0.0.1:{nats.port}' }), readyTimeout: 20_000, stopTimeout: 5_000 },
    { name: 'archiver', ...node('./archiver.ts', { NATS_URL: 'nats://127.0.0.1:{nats.port}', PG_URL: 'postgres://bidding@127.0.0.1:{postgres.port}/postgres' }), readyTimeout: 20_000, stopTimeout: 5_000 },
  ]
}
