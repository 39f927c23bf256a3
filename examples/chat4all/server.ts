/**
 * A Chat4All-like API (the NFR suite's system): JWT login, messages posted to conversations, a
 * conversation list, WebSocket notifications of new messages to every subscriber, and chunked file
 * uploads (initiate / chunks / complete). Uploaded bytes are counted, not kept.
 */
import type { Server } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'
import { serve, type Ctx, type RunningApp } from '../shared/http-app.ts'
import { signJwt, verifyJwt } from './jwt.ts'

export interface Chat4AllOptions { port?: number; password?: string }

interface Upload { id: string; size: number; chunkSize: number; received: number; chunks: number; done: boolean }
export interface Chat4AllApp extends RunningApp { subscribers(): number; uploads(): readonly Upload[] }

const SECRET = 'chat4all-example-secret'

export async function startChat4AllServer(options: Chat4AllOptions = {}): Promise<Chat4AllApp> {
  const password = options.password ?? 'loadspec'
  const conversations = new Map<string, { id: string; messages: number; last: string }>()
  const subs = new Map<string, Set<WebSocket>>()
  const uploads = new Map<string, Upload>()
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  let nextMsg = 1
  let nextUpload = 1

  const user = (ctx: Ctx): string | null => {
    const h = ctx.req.headers.authorization ?? ''
    const claims = h.startsWith('Bearer ') ? verifyJwt(h.slice(7), SECRET) : null
    if (!claims) { ctx.json(401, { error: 'missing, invalid or expired token' }); return null }
    return String(claims['sub'])
  }
  const attach = (server: Server) => server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const claims = url.pathname === '/v1/ws' ? verifyJwt(url.searchParams.get('token') ?? '', SECRET) : null
    const conv = url.searchParams.get('conversation')
    if (!claims || !conv) { socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n'); return }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const set = subs.get(conv) ?? new Set()
      subs.set(conv, set)
      set.add(ws)
      ws.on('close', () => set.delete(ws))
      ws.send(JSON.stringify({ type: 'subscribed', conversation: conv }))
    })
  })

  const app = await serve([
    { method: 'POST', path: '/v1/auth/token', handle: async (ctx) => {
      const b = (await ctx.body()) as { user?: unknown; password?: unknown } | undefined
      if (b === undefined) return
      if (typeof b.user !== 'string' || b.password !== password) return ctx.json(401, { error: 'bad credentials' })
      ctx.json(200, { token: signJwt({ sub: b.user, exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET) })
    } },
    { method: 'POST', path: '/v1/messages', handle: async (ctx) => {
      const from = user(ctx)
      const b = (await ctx.body()) as { conversation_id?: unknown; text?: unknown; sent_at_ms?: unknown } | undefined
      if (!from || b === undefined) return
      if (typeof b.conversation_id !== 'string' || typeof b.text !== 'string') return ctx.json(400, { error: 'conversation_id and text are required' })
      const id = nextMsg++
      const c = conversations.get(b.conversation_id) ?? { id: b.conversation_id, messages: 0, last: '' }
      c.messages++
      c.last = b.text
      conversations.set(c.id, c)
      ctx.json(202, { id, status: 'accepted' })
      const note = JSON.stringify({ type: 'message', id, conversation: c.id, from, text: b.text, sent_at_ms: b.sent_at_ms ?? null })
      // Encoded once for every subscriber: 10 000 sends of one string would encode it 10 000 times.
      const frame = Buffer.from(note)
      for (const ws of subs.get(c.id) ?? []) ws.send(frame, { binary: false })
    } },
    { method: 'GET', path: '/v1/conversations', handle: (ctx) => {
      if (!user(ctx)) return
      ctx.json(200, { conversations: [...conversations.values()].slice(0, 50) })
    } },
    { method: 'POST', path: '/v1/files/initiate', handle: async (ctx) => {
      const b = (await ctx.body()) as { size?: unknown; chunk_size?: unknown } | undefined
      if (!user(ctx) || b === undefined) return
      if (typeof b.size !== 'number' || typeof b.chunk_size !== 'number' || b.chunk_size <= 0) return ctx.json(400, { error: 'size and chunk_size (numbers) are required' })
      const id = `up${nextUpload++}`
      uploads.set(id, { id, size: b.size, chunkSize: b.chunk_size, received: 0, chunks: 0, done: false })
      ctx.json(201, { upload_id: id, chunks: Math.ceil(b.size / b.chunk_size) })
    } },
    { method: 'POST', path: '/v1/files/:id/chunks', handle: (ctx) => {
      if (!user(ctx)) return
      const up = uploads.get(ctx.params[0] as string)
      if (!up || up.done) return ctx.json(404, { error: 'no such open upload' })
      // Count the streamed body without keeping it: a 1 GB upload must not live in memory.
      let n = 0
      ctx.req.on('data', (c: Buffer) => { n += c.length })
      ctx.req.on('end', () => { up.received += n; up.chunks++; ctx.json(200, { received: n, total: up.received }) })
    } },
    { method: 'POST', path: '/v1/files/:id/complete', handle: (ctx) => {
      if (!user(ctx)) return
      const up = uploads.get(ctx.params[0] as string)
      if (!up) return ctx.json(404, { error: 'no such upload' })
      if (up.received !== up.size) return ctx.json(409, { error: `received ${up.received} of ${up.size} bytes` })
      up.done = true
      ctx.json(200, { upload_id: up.id, size: up.received, chunks: up.chunks })
    } },
  ], { ...(options.port !== undefined ? { port: options.port } : {}), onServer: attach })

  return {
    ...app,
    subscribers: () => [...subs.values()].reduce((a, s) => a + s.size, 0),
    uploads: () => [...uploads.values()],
    async close() {
      for (const set of subs.values()) for (const ws of set) ws.terminate()
      wss.close()
      await app.close()
    },
  }
}
