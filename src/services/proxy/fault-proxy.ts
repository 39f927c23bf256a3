/**
 * A TCP proxy in front of a service that injects network faults: Toxiproxy's toxics
 * (github.com/Shopify/toxiproxy) in pure Node `net`, so nothing needs installing. Toxics are
 * added and removed while connections are open and act on those too; a scheduler (the harness's
 * fault timeline) calls addToxic at a fault's start and removeToxic at its end.
 */
import { createServer, type Server, type Socket, connect } from 'node:net'
import { z } from 'zod'
import { ClosedError, FaultProxyError, InvalidOptionError, UsageError } from '../../errors.ts'
import { formatIssues } from '../../core/option-issues.ts'
import { ProxyConnection, type ConnectionCounters } from './connection.ts'
import type { DirectionCounters } from './link.ts'
import type { ConnectionToxic } from './make-stage.ts'
import { parseToxic, type Toxic, type ToxicSpec } from './toxic-schema.ts'

export interface FaultProxyOptions {
  /** Where the proxy listens. @default { host: '127.0.0.1', port: 0 } (an ephemeral port) */
  listen?: { host?: string; port?: number }
  /** The service it forwards to. @default host '127.0.0.1' */
  upstream: { host?: string; port: number }
}

export interface FaultProxyStats {
  /** Connections accepted since the start. */
  readonly accepted: number
  /** Connections open now. */
  readonly open: number
  /** Connections a reset_peer toxic reset. */
  readonly resets: number
  /** Connections the upstream refused or failed; their client was reset. */
  readonly upstreamFailures: number
  /** Bytes client → upstream. */
  readonly upstream: Readonly<DirectionCounters>
  /** Bytes upstream → client. */
  readonly downstream: Readonly<DirectionCounters>
  /** Ids of the toxics in force, in the order they were added. */
  readonly toxics: readonly string[]
  /** False while the proxy is down. */
  readonly listening: boolean
}

export interface FaultProxy {
  readonly host: string
  readonly port: number
  /** `host:port`. */
  readonly address: string
  /** `http://host:port`, for HTTP upstreams; the proxy itself carries any TCP protocol. */
  readonly url: string
  /**
   * Adds a toxic; it acts on open connections too (each draws it with its `toxicity`) and on every
   * later one. `{ type: 'down' }` takes the proxy down until it is removed.
   * @returns its id, for removeToxic
   * @throws InvalidOptionError for a bad spec; UsageError for a name in use; ClosedError after close()
   */
  addToxic(spec: ToxicSpec): string
  /**
   * Removes a toxic: what it holds is passed on at once and it stops acting. Resolves when done
   * (for `down`, when the proxy listens again).
   * @throws UsageError for an unknown id; FaultProxyError when the port cannot be bound again
   */
  removeToxic(id: string): Promise<void>
  /** Stops listening (clients get ECONNREFUSED) and closes every open connection. */
  down(): Promise<void>
  /** Listens again on the same port, also ending any `down` toxic. @throws FaultProxyError when the port is taken */
  up(): Promise<void>
  /** Closes the listener, every connection and every timer. Safe to call twice. */
  close(): Promise<void>
  readonly stats: FaultProxyStats
}

const endpoint = (portMin: number) => ({
  host: z.string({ error: 'must be a host name or IP address like 127.0.0.1' }).min(1, { error: 'must not be empty' }).optional(),
  port: z.number({ error: 'must be a TCP port number' }).int({ error: 'must be a whole port number' })
    .min(portMin, { error: `must be from ${portMin} to 65535` }).max(65535, { error: `must be from ${portMin} to 65535` }),
})
const optionsSchema = z.strictObject({
  listen: z.strictObject({ ...endpoint(0), port: endpoint(0).port.optional() }, { error: "must be an object like { host: '127.0.0.1', port: 0 }" }).optional(),
  upstream: z.strictObject(endpoint(1), { error: "must be an object like { host: '127.0.0.1', port: 8080 }" }),
}, { error: 'must be an object like { upstream: { host, port } }' })

/**
 * Starts a fault proxy in front of `upstream`.
 * @throws InvalidOptionError for bad options; FaultProxyError when it cannot listen
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const parsed = optionsSchema.safeParse(options)
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues)
    throw new InvalidOptionError(lines[0]?.split(':')[0] ?? 'options', `Invalid options for startFaultProxy():\n  - ${lines.join('\n  - ')}`)
  }
  const { listen = {}, upstream } = parsed.data
  const proxy = new FaultProxyServer(listen.host ?? '127.0.0.1', listen.port ?? 0, upstream.host ?? '127.0.0.1', upstream.port)
  await proxy.up()
  return proxy
}

class FaultProxyServer implements FaultProxy {
  private server: Server | null = null
  private readonly connections = new Set<ProxyConnection>()
  /** Waiting for the last connection to go (down, close). */
  private readonly idle: (() => void)[] = []
  private readonly toxics = new Map<string, Toxic>()
  private readonly counters: ConnectionCounters & { accepted: number } = {
    accepted: 0, resets: 0, upstreamFailures: 0,
    upstream: { received: 0, sent: 0, dropped: 0 }, downstream: { received: 0, sent: 0, dropped: 0 },
  }
  private manualDown = false
  private closing: Promise<void> | undefined
  private boundPort: number

  constructor(readonly host: string, port: number, private readonly upstreamHost: string, private readonly upstreamPort: number) {
    this.boundPort = port
  }

  get port(): number { return this.boundPort }
  get address(): string { return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.boundPort}` }
  get url(): string { return `http://${this.address}` }

  get stats(): FaultProxyStats {
    const c = this.counters
    return {
      accepted: c.accepted, open: this.connections.size, resets: c.resets, upstreamFailures: c.upstreamFailures,
      upstream: { ...c.upstream }, downstream: { ...c.downstream }, toxics: [...this.toxics.keys()], listening: this.server !== null,
    }
  }

  addToxic(spec: ToxicSpec): string {
    this.assertOpen('addToxic')
    const toxic = parseToxic(spec)
    const id = this.idFor(toxic)
    this.toxics.set(id, toxic)
    // The listener closes at once; what is left (sockets closing) needs no waiting for here.
    if (toxic.type === 'down') void this.stopListening()
    else for (const c of this.connections) c.addToxic(id, toxic)
    return id
  }

  async removeToxic(id: string): Promise<void> {
    this.assertOpen('removeToxic')
    const toxic = this.toxics.get(id)
    if (!toxic) throw new UsageError(`removeToxic(): no toxic "${id}" on this proxy; its toxics are ${[...this.toxics.keys()].map((k) => `"${k}"`).join(', ') || 'none'}`)
    this.toxics.delete(id)
    if (toxic.type !== 'down') for (const c of this.connections) c.removeToxic(id)
    else if (!this.isDown()) await this.listen()
  }

  async down(): Promise<void> {
    this.assertOpen('down')
    this.manualDown = true
    await this.stopListening()
  }

  async up(): Promise<void> {
    this.assertOpen('up')
    this.manualDown = false
    for (const [id, t] of this.toxics) if (t.type === 'down') this.toxics.delete(id)
    await this.listen()
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.toxics.clear()
      await this.stopListening()
      // A socket's 'close' event comes before libuv has released its handle; one more turn of the
      // loop lets it go, so whoever counts handles after close() sees none of ours.
      await new Promise((resolve) => setImmediate(resolve))
    })()
    return this.closing
  }

  private isDown(): boolean {
    return this.manualDown || [...this.toxics.values()].some((t) => t.type === 'down')
  }

  private async listen(): Promise<void> {
    if (this.server) return
    const server = createServer({ allowHalfOpen: true, noDelay: true }, this.onConnection)
    this.server = server
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host: this.host, port: this.boundPort }, () => { server.off('error', reject); resolve() })
      })
    } catch (err) {
      this.server = null
      const code = (err as { code?: string }).code
      throw new FaultProxyError(`fault proxy: cannot listen on ${this.address} (${code ?? String(err)})${code === 'EADDRINUSE' ? '; another process took the port while the proxy was down' : ''}`, { cause: err })
    }
    // Accept errors (EMFILE…) after listening must not crash the process: that connection is lost, the proxy carries on.
    server.on('error', () => {})
    const addr = server.address()
    if (addr && typeof addr === 'object') this.boundPort = addr.port
  }

  /**
   * Stops accepting at once (the listening socket closes now) and closes every connection;
   * resolves when the listener and every socket have closed and their toxics' timers are gone.
   */
  private async stopListening(): Promise<void> {
    const server = this.server
    this.server = null
    for (const c of this.connections) c.destroy()
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
    if (this.connections.size > 0) await new Promise<void>((resolve) => this.idle.push(resolve))
  }

  private readonly gone = (c: ProxyConnection): void => {
    this.connections.delete(c)
    if (this.connections.size === 0) for (const resolve of this.idle.splice(0)) resolve()
  }

  private readonly onConnection = (client: Socket): void => {
    if (this.server === null || this.closing) { client.destroy(); return }
    this.counters.accepted++
    const upstream = connect({ host: this.upstreamHost, port: this.upstreamPort, allowHalfOpen: true, noDelay: true })
    const connection = new ProxyConnection(client, upstream, this.counters, this.gone)
    this.connections.add(connection)
    for (const [id, toxic] of this.toxics) if (toxic.type !== 'down') connection.addToxic(id, toxic as ConnectionToxic)
  }

  private idFor(toxic: Toxic): string {
    if (toxic.name !== undefined) {
      if (this.toxics.has(toxic.name)) throw new UsageError(`addToxic(): a toxic named "${toxic.name}" is already on this proxy; remove it first or choose another name`)
      return toxic.name
    }
    const base = toxic.type === 'down' ? 'down' : `${toxic.type}_${toxic.stream}`
    let id = base
    for (let n = 2; this.toxics.has(id); n++) id = `${base}_${n}`
    return id
  }

  private assertOpen(method: string): void {
    if (this.closing) throw new ClosedError(`${method}(): the fault proxy on ${this.address} is closed`)
  }
}
