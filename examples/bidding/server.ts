/**
 * An in-process stand-in for the bidding system, kept for driver tests that need a fan-out server
 * with a known broadcast delay (test/drivers/ws-fanout.test.ts); the real system, with Redis, NATS
 * and Postgres, is stack.ts. Like it: bids over HTTP on contested items (a bid is
 * accepted only when it beats the current price, atomically), and every accepted bid broadcast to
 * the item's WebSocket viewers after an optional, known delay — so a suite can measure fan-out.
 */
import type { Server } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'
import { serve, type RunningApp } from '../shared/http-app.ts'

export interface BiddingOptions {
  port?: number
  /** Delay before an accepted bid is broadcast to viewers, ms. @default 0 */
  broadcastDelayMs?: number
}

interface Item { id: number; price: number; winner: string | null; accepted: number; rejected: number }

export interface BiddingApp extends RunningApp {
  /** Viewers connected right now. */
  viewers(): number
}

export async function startBiddingServer(options: BiddingOptions = {}): Promise<BiddingApp> {
  const items = new Map<number, Item>()
  const watchers = new Map<number, Set<WebSocket>>()
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  const timers = new Set<NodeJS.Timeout>()
  let nextItem = 1
  let nextBid = 1
  const delay = options.broadcastDelayMs ?? 0

  const broadcast = (itemId: number, event: object) => {
    const text = JSON.stringify(event)
    const send = () => { for (const ws of watchers.get(itemId) ?? []) ws.send(text) }
    if (delay <= 0) return send()
    const t = setTimeout(() => { timers.delete(t); send() }, delay)
    timers.add(t)
  }
  const attachWs = (server: Server) => {
    server.on('upgrade', (req, socket, head) => {
      const m = /^\/items\/(\d+)\/watch$/.exec(req.url ?? '')
      const item = m ? items.get(Number(m[1])) : undefined
      if (!item) { socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'); return }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const set = watchers.get(item.id) ?? new Set()
        watchers.set(item.id, set)
        set.add(ws)
        ws.on('close', () => set.delete(ws))
        ws.send(JSON.stringify({ type: 'hello', item: item.id, price: item.price }))
      })
    })
  }

  const app = await serve([
    { method: 'POST', path: '/items', handle: async (ctx) => {
      const body = (await ctx.body()) as { price?: unknown } | undefined
      if (body === undefined) return
      const id = nextItem++
      items.set(id, { id, price: typeof body.price === 'number' ? body.price : 0, winner: null, accepted: 0, rejected: 0 })
      ctx.json(201, { id })
    } },
    { method: 'GET', path: '/items/:id', handle: (ctx) => {
      const item = items.get(Number(ctx.params[0]))
      if (!item) return ctx.json(404, { error: 'no such item' })
      ctx.json(200, { ...item, viewers: watchers.get(item.id)?.size ?? 0 })
    } },
    { method: 'POST', path: '/items/:id/bids', handle: async (ctx) => {
      const item = items.get(Number(ctx.params[0]))
      const body = (await ctx.body()) as { amount?: unknown; user?: unknown } | undefined
      if (body === undefined) return
      if (!item) return ctx.json(404, { error: 'no such item' })
      if (typeof body.amount !== 'number' || typeof body.user !== 'string') return ctx.json(400, { error: 'amount (number) and user (string) are required' })
      // Check and update happen in one synchronous step: no other bid can interleave.
      if (body.amount <= item.price) { item.rejected++; return ctx.json(409, { accepted: false, price: item.price }) }
      item.price = body.amount
      item.winner = body.user
      item.accepted++
      const bidId = nextBid++
      ctx.json(201, { accepted: true, price: item.price, bidId })
      broadcast(item.id, { type: 'bid', item: item.id, bidId, amount: item.price, user: item.winner })
    } },
  ], { ...(options.port !== undefined ? { port: options.port } : {}), onServer: attachWs })

  return {
    ...app,
    viewers: () => [...watchers.values()].reduce((a, s) => a + s.size, 0),
    async close() {
      for (const t of timers) clearTimeout(t)
      for (const set of watchers.values()) for (const ws of set) ws.terminate()
      wss.close()
      await app.close()
    },
  }
}
