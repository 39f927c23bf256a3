/**
 * An in-memory HTTP message relay like the dchat relay of the k6/Locust seed: send messages,
 * read them back per room, relay status, health. Latency, failures and capacity can be injected
 * so suites and tests can check that loadspec reports what really happened.
 */
import { serve, type RunningApp, type Ctx } from '../shared/http-app.ts'

export interface RelayOptions {
  port?: number
  /** Fixed latency added to every answer, ms. @default 0 */
  latencyMs?: number
  /** Fraction of requests answered 500, chosen deterministically (every 1/rate-th). @default 0 */
  failureRate?: number
  /** Concurrent requests above which the relay answers 503. @default Infinity */
  capacity?: number
}

interface Message { id: number; room: string; from: string; text: string; ts: number }
const ROOM_BUFFER = 1000

export async function startRelayServer(options: RelayOptions = {}): Promise<RunningApp> {
  const rooms = new Map<string, Message[]>()
  let nextId = 1
  let seen = 0
  let inFlight = 0
  const started = Date.now()
  const failEvery = options.failureRate && options.failureRate > 0 ? Math.round(1 / options.failureRate) : 0
  const latency = options.latencyMs ?? 0
  const capacity = options.capacity ?? Infinity

  const later = (ctx: Ctx, status: number, body: unknown) => {
    if (latency <= 0) { ctx.json(status, body); inFlight--; return }
    setTimeout(() => { inFlight--; ctx.json(status, body) }, latency)
  }
  const list = (room: string, since: number, limit: number) => (rooms.get(room) ?? []).filter((m) => m.id > since).slice(-limit)

  return serve([
    { method: 'POST', path: '/messages', handle: async (ctx) => {
      const body = (await ctx.body()) as { room?: unknown; from?: unknown; text?: unknown } | undefined
      if (body === undefined) { inFlight--; return }
      if (typeof body !== 'object' || body === null || typeof body.text !== 'string' || body.text === '') { inFlight--; return ctx.json(400, { error: 'text is required' }) }
      const room = typeof body.room === 'string' ? body.room : 'general'
      const msg: Message = { id: nextId++, room, from: typeof body.from === 'string' ? body.from : 'anonymous', text: body.text, ts: Date.now() }
      const buf = rooms.get(room) ?? []
      buf.push(msg)
      if (buf.length > ROOM_BUFFER) buf.shift()
      rooms.set(room, buf)
      later(ctx, 201, { id: msg.id, ts: msg.ts })
    } },
    { method: 'GET', path: '/messages', handle: (ctx) => {
      const q = ctx.url.searchParams
      later(ctx, 200, { messages: list(q.get('room') ?? 'general', Number(q.get('since') ?? 0), Math.min(Number(q.get('limit') ?? 50), 500)) })
    } },
    { method: 'GET', path: '/rooms/:id/messages', handle: (ctx) => {
      later(ctx, 200, { messages: list(ctx.params[0] as string, Number(ctx.url.searchParams.get('since') ?? 0), 50) })
    } },
    { method: 'GET', path: '/relay/status', handle: (ctx) => {
      let messages = 0
      for (const b of rooms.values()) messages += b.length
      later(ctx, 200, { uptimeMs: Date.now() - started, messages, rooms: rooms.size, inFlight })
    } },
    { method: 'GET', path: '/health', handle: (ctx) => later(ctx, 200, { ok: true }) },
  ], {
    ...(options.port !== undefined ? { port: options.port } : {}),
    // Injected faults are decided before the route runs, in arrival order, so tests can predict them.
    before: (ctx) => {
      seen++
      if (inFlight >= capacity) { ctx.json(503, { error: 'over capacity' }); return false }
      if (failEvery && seen % failEvery === 0) { ctx.json(500, { error: 'injected failure' }); return false }
      inFlight++
      return true
    },
  })
}
