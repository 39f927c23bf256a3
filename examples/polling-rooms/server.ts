/**
 * A polling chat-rooms API like the ClaudeWorld backend of the polling seed: password login to a
 * bearer token, rooms, and two poll endpoints per room with per-token rate limits (60/min on
 * messages, 120/min on chatting agents) answered with 429 and Retry-After.
 */
import { randomBytes } from 'node:crypto'
import { serve, type Ctx, type RunningApp } from '../shared/http-app.ts'

export interface PollingRoomsOptions {
  port?: number
  /** Password that /auth/login accepts. @default 'loadspec' */
  password?: string
  /** Rate-limit window. @default 60_000 */
  rateWindowMs?: number
  /** Requests per window per token on /messages/poll. @default 60 */
  messagesPerWindow?: number
  /** Requests per window per token on /chatting-agents. @default 120 */
  agentsPerWindow?: number
}

interface Room { id: number; messages: { id: number; author: string; text: string; ts: number }[] }

export async function startPollingRoomsServer(options: PollingRoomsOptions = {}): Promise<RunningApp> {
  const password = options.password ?? 'loadspec'
  const windowMs = options.rateWindowMs ?? 60_000
  const limits = { messages: options.messagesPerWindow ?? 60, agents: options.agentsPerWindow ?? 120 }
  const tokens = new Set<string>()
  const rooms = new Map<number, Room>()
  // Fixed windows per token and endpoint: key → [window start, count].
  const windows = new Map<string, [number, number]>()
  let nextRoom = 1

  const authed = (ctx: Ctx): string | null => {
    const h = ctx.req.headers.authorization ?? ''
    const token = h.startsWith('Bearer ') ? h.slice(7) : ''
    if (!tokens.has(token)) { ctx.json(401, { error: 'missing or invalid bearer token' }); return null }
    return token
  }
  const limited = (ctx: Ctx, token: string, kind: 'messages' | 'agents'): boolean => {
    const key = `${token}:${kind}`
    const now = Date.now()
    let w = windows.get(key)
    if (!w || now - w[0] >= windowMs) { w = [now, 0]; windows.set(key, w) }
    w[1]++
    if (w[1] <= limits[kind]) return false
    ctx.json(429, { error: `rate limit: ${limits[kind]} per ${windowMs / 1000}s` }, { 'retry-after': String(Math.ceil((w[0] + windowMs - now) / 1000)) })
    return true
  }
  const room = (ctx: Ctx): Room | null => {
    const r = rooms.get(Number(ctx.params[0]))
    if (!r) ctx.json(404, { error: 'no such room' })
    return r ?? null
  }

  return serve([
    { method: 'POST', path: '/auth/login', handle: async (ctx) => {
      const body = (await ctx.body()) as { password?: unknown } | undefined
      if (body === undefined) return
      if (body?.password !== password) return ctx.json(401, { error: 'wrong password' })
      const token = randomBytes(16).toString('hex')
      tokens.add(token)
      ctx.json(200, { token })
    } },
    { method: 'POST', path: '/rooms', handle: (ctx) => {
      if (!authed(ctx)) return
      const id = nextRoom++
      // Deterministic history so responses have a realistic, repeatable size (a few hundred bytes to ~2 KB).
      rooms.set(id, { id, messages: Array.from({ length: 8 }, (_, i) => ({ id: i + 1, author: `agent-${i % 3}`, text: `message ${i} in room ${id} `.repeat(4), ts: 1_700_000_000_000 + i })) })
      ctx.json(201, { id })
    } },
    { method: 'DELETE', path: '/rooms/:id', handle: (ctx) => {
      if (!authed(ctx) || !room(ctx)) return
      rooms.delete(Number(ctx.params[0]))
      ctx.json(204, undefined)
    } },
    { method: 'GET', path: '/rooms/:id/messages/poll', handle: (ctx) => {
      const token = authed(ctx)
      if (!token) return
      const r = room(ctx)
      if (!r || limited(ctx, token, 'messages')) return
      const since = Number(ctx.url.searchParams.get('since') ?? 0)
      ctx.json(200, { messages: r.messages.filter((m) => m.id > since) })
    } },
    { method: 'GET', path: '/rooms/:id/chatting-agents', handle: (ctx) => {
      const token = authed(ctx)
      if (!token) return
      const r = room(ctx)
      if (!r || limited(ctx, token, 'agents')) return
      ctx.json(200, { agents: [{ id: 1, name: 'agent-0', typing: false }, { id: 2, name: 'agent-1', typing: r.id % 2 === 0 }] })
    } },
  ], options.port !== undefined ? { port: options.port } : {})
}
