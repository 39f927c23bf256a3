/**
 * A tiny router and server lifecycle shared by the example systems: JSON helpers, per-route and
 * per-status request counts (so tests can compare a load tool's counts with what arrived), and a
 * close() that ends every socket and is safe to call twice.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RouteStats {
  /** route → status → count, e.g. `{ 'POST /messages': { '201': 10 } }`. */
  readonly routes: Readonly<Record<string, Readonly<Record<string, number>>>>
  readonly requests: number
  readonly bytesSent: number
}

export interface RunningApp {
  readonly url: string
  readonly port: number
  stats(): RouteStats
  close(): Promise<void>
}

export interface Ctx {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly url: URL
  readonly params: readonly string[]
  /** Sends JSON with a status; records the status under the route. */
  json(status: number, body: unknown, headers?: Record<string, string>): void
  /** Reads the body as JSON (≤ limit bytes); answers 400/413 itself and returns undefined on failure. */
  body(limit?: number): Promise<unknown>
}

export interface Route {
  readonly method: string
  /** `/rooms/:id/messages` style; `:x` matches one path segment. */
  readonly path: string
  readonly handle: (ctx: Ctx) => void | Promise<void>
}

export async function serve(routes: readonly Route[], opts: { port?: number; host?: string; before?: (ctx: Ctx, route: string) => boolean; onServer?: (server: Server) => void } = {}): Promise<RunningApp> {
  const compiled = routes.map((r) => ({ ...r, name: `${r.method} ${r.path}`, re: new RegExp('^' + r.path.replace(/:[^/]+/g, '([^/]+)') + '$') }))
  const counts: Record<string, Record<string, number>> = {}
  let requests = 0
  let bytesSent = 0
  const server = createServer((req, res) => {
    requests++
    const url = new URL(req.url ?? '/', 'http://localhost')
    const match = compiled.find((r) => r.method === req.method && r.re.test(url.pathname))
    const name = match ? match.name : 'unmatched'
    const params = match ? (match.re.exec(url.pathname) as RegExpExecArray).slice(1) : []
    const ctx: Ctx = {
      req, res, url, params,
      json(status, body, headers = {}) {
        const text = body === undefined ? '' : JSON.stringify(body)
        const byStatus = (counts[name] ??= {})
        byStatus[status] = (byStatus[status] ?? 0) + 1
        bytesSent += Buffer.byteLength(text)
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
        res.end(text)
      },
      body: (limit = 64 * 1024) => readJson(ctx, limit),
    }
    if (!match) return ctx.json(404, { error: 'not found' })
    if (opts.before && !opts.before(ctx, name)) return
    Promise.resolve(match.handle(ctx)).catch((err: unknown) => { if (!res.headersSent) ctx.json(500, { error: String(err) }) })
  })
  server.keepAliveTimeout = 10_000
  opts.onServer?.(server)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | null = null
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    stats: () => ({ routes: structuredClone(counts), requests, bytesSent }),
    close: () => (closing ??= new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })),
  }
}

function readJson(ctx: Ctx, limit: number): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    ctx.req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit && !done) { done = true; ctx.json(413, { error: `body over ${limit} bytes` }); resolve(undefined); return }
      chunks.push(c)
    })
    ctx.req.on('end', () => {
      if (done) return
      try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) } catch { ctx.json(400, { error: 'body is not JSON' }); resolve(undefined) }
    })
  })
}
