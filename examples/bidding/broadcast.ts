/**
 * The broadcast service, a process of its own: viewers open `ws://…/items/:id`, get a hello, then
 * every accepted bid on that item as `{ type: 'bid', id, item, user, amount, at }`. Bids come from
 * a plain NATS subscription on `bids.*` (live only: a viewer wants what happens now, not a replay),
 * so killing this service disconnects viewers and nothing else.
 *
 * Environment: PORT, NATS_URL. Routes: GET /stats/items/:id → {item, viewers}; GET /stats; GET /health.
 */
import { WebSocketServer, type WebSocket } from 'ws'
import { serve } from '../shared/http-app.ts'
import { BID_SUBJECT_PREFIX, connectNats } from './nats-setup.ts'
import { exitWithParent, requiredEnv } from './service-env.ts'

const viewers = new Map<string, Set<WebSocket>>()
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
let delivered = 0
let events = 0

const nc = await connectNats(requiredEnv('NATS_URL'), 'broadcast')
nc.subscribe(`${BID_SUBJECT_PREFIX}*`, {
  callback: (err, msg) => {
    if (err) return
    events++
    const item = msg.subject.slice(BID_SUBJECT_PREFIX.length)
    const set = viewers.get(item)
    if (!set || set.size === 0) return
    // The text is built once for all viewers of the item.
    const text = `{"type":"bid",${msg.string().slice(1)}`
    for (const ws of set) { ws.send(text); delivered++ }
  },
})

const count = (item: string) => viewers.get(item)?.size ?? 0

const app = await serve([
  { method: 'GET', path: '/health', handle: (ctx) => ctx.json(200, { ok: true }) },
  { method: 'GET', path: '/stats/items/:id', handle: (ctx) => ctx.json(200, { item: ctx.params[0], viewers: count(ctx.params[0] ?? '') }) },
  { method: 'GET', path: '/stats', handle: (ctx) => {
    let total = 0
    for (const set of viewers.values()) total += set.size
    ctx.json(200, { viewers: total, events, delivered })
  } },
], {
  port: Number(requiredEnv('PORT')),
  onServer: (server) => server.on('upgrade', (req, socket, head) => {
    const m = /^\/items\/([^/?]+)$/.exec(req.url ?? '')
    if (!m || m[1] === undefined) { socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'); return }
    const item = decodeURIComponent(m[1])
    wss.handleUpgrade(req, socket, head, (ws) => {
      const set = viewers.get(item) ?? new Set<WebSocket>()
      viewers.set(item, set)
      set.add(ws)
      ws.on('close', () => { set.delete(ws); if (set.size === 0) viewers.delete(item) })
      ws.on('error', () => ws.terminate())
      ws.send(JSON.stringify({ type: 'hello', item, viewers: set.size }))
    })
  }),
})

process.stdout.write(`broadcast listening on ${app.url}\n`)
exitWithParent(async () => {
  for (const set of viewers.values()) for (const ws of set) ws.terminate()
  wss.close()
  await app.close()
  await nc.close().catch(() => {})
})
