/**
 * The bid API, a process of its own (started by stack.ts). Bids are decided in Redis by one Lua
 * script; accepted bids are published on NATS behind the answer (bid-outbox.ts), so NATS being down
 * changes nothing for bidders.
 *
 * Environment: PORT, REDIS_URL, NATS_URL, OUTBOX_LIMIT (bids buffered while NATS is away, default 100 000).
 * Routes: POST /items {price} → 201 {id}; POST /items/:id/bids {user, amount} → 201 accepted /
 * 409 rejected / 404; GET /items/:id; GET /stats; GET /health. Exits when its stdin closes, so it
 * never outlives the process that started it.
 */
import { Redis } from 'ioredis'
import { serve } from '../shared/http-app.ts'
import { BidStore } from './bid-store.ts'
import { BidOutbox } from './bid-outbox.ts'
import { connectNats, ensureBidStream } from './nats-setup.ts'
import { exitWithParent, requiredEnv } from './service-env.ts'

const redis = new Redis(requiredEnv('REDIS_URL'), { maxRetriesPerRequest: 3, lazyConnect: true })
await redis.connect()
const store = new BidStore(redis)
const nc = await connectNats(requiredEnv('NATS_URL'), 'bid-api')
await ensureBidStream(nc)
const outbox = new BidOutbox(nc, Number(process.env['OUTBOX_LIMIT'] ?? 100_000))
let accepted = 0
let rejected = 0

const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0

const app = await serve([
  { method: 'GET', path: '/health', handle: (ctx) => ctx.json(200, { ok: true }) },
  { method: 'POST', path: '/items', handle: async (ctx) => {
    const body = (await ctx.body()) as { price?: unknown } | undefined
    if (body === undefined) return
    const price = body.price ?? 0
    if (!isAmount(price)) return ctx.json(400, { error: 'price must be a number ≥ 0' })
    ctx.json(201, { id: await store.createItem(price), price })
  } },
  { method: 'GET', path: '/items/:id', handle: async (ctx) => {
    const item = await store.item(ctx.params[0] ?? '')
    if (!item) return ctx.json(404, { error: 'no such item' })
    ctx.json(200, item)
  } },
  { method: 'POST', path: '/items/:id/bids', handle: async (ctx) => {
    const body = (await ctx.body()) as { user?: unknown; amount?: unknown } | undefined
    if (body === undefined) return
    if (!isAmount(body.amount) || typeof body.user !== 'string' || body.user === '') {
      return ctx.json(400, { error: 'amount (number ≥ 0) and user (non-empty string) are required' })
    }
    const outcome = await store.placeBid(ctx.params[0] ?? '', body.user, body.amount)
    if (outcome.state === 'missing') return ctx.json(404, { error: 'no such item' })
    if (outcome.state === 'rejected') {
      rejected++
      return ctx.json(409, { accepted: false, price: outcome.price })
    }
    accepted++
    ctx.json(201, { accepted: true, bidId: outcome.bid.id, price: outcome.bid.amount })
    outbox.add(outcome.bid)
  } },
  { method: 'GET', path: '/stats', handle: (ctx) => ctx.json(200, { accepted, rejected, ...outbox.stats() }) },
], { port: Number(requiredEnv('PORT')) })

process.stdout.write(`bid API listening on ${app.url}\n`)
exitWithParent(async () => {
  outbox.close()
  await app.close()
  await nc.close().catch(() => {})
  redis.disconnect()
})
