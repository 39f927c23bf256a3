/**
 * The bidding suite (the bidding experiments seed): 1) many users bid on one contested item —
 * accepted vs rejected, and no corruption at the end; 2) N WebSocket viewers watch the item, one
 * bid is placed, and we measure the time until every viewer received it (p50/p95/p99, % delivered).
 * `ci`: 20 bidders, 200 viewers; `full`: 200 bidders, 5 000 viewers.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { scenario } from '../src/plugin/vitest/index.ts'
import { startBiddingServer } from '../examples/bidding/server.ts'

let app: Awaited<ReturnType<typeof startBiddingServer>>
beforeAll(async () => { app = await startBiddingServer() })
afterAll(async () => { await app.close() })

interface Data { url: string; item: number; viewers?: number }

const contention = scenario<Data>('bidding: users bid on one contested item', {
  executor: 'shared-iterations', vus: 200, iterations: 5000, maxDuration: '2m',
  profiles: { ci: { vus: 20, iterations: 400 } },
  thresholds: { http_req_failed: ['rate<0.001'] },
}, async ({ http, data, vu, state, metrics }) => {
  // Each bid is a little above what this bidder last saw, so many race and lose.
  const last = (state['last'] as number | undefined) ?? 0
  const amount = last + 1 + Math.floor(Math.random() * 3)
  const res = await http.post(`${data.url}/items/${data.item}/bids`, { json: { user: `u${vu.id}`, amount }, expectedStatuses: [201, 409], name: 'POST /items/:id/bids' })
  const body = res.json<{ accepted: boolean; price: number }>()
  state['last'] = body.price
  metrics.counter(body.accepted ? 'bids_accepted' : 'bids_rejected').add(1)
  if (body.accepted) metrics.gauge('highest_accepted_bid').add(amount)
})

test('contested item: every bid is answered, and the final price is the highest accepted bid', async () => {
  const item = (await (await fetch(`${app.url}/items`, { method: 'POST', body: JSON.stringify({ price: 0 }) })).json()) as { id: number }
  const result = await contention.run({ data: { url: app.url, item: item.id } })
  const accepted = result.counter('bids_accepted')?.count ?? 0
  const rejected = result.counter('bids_rejected')?.count ?? 0
  expect(accepted + rejected).toBe(result.iterations.completed)
  expect(result).toHaveErrorRateBelow(0.001)
  // End-of-run correctness: the server's state agrees with what the bidders were told.
  const final = (await (await fetch(`${app.url}/items/${item.id}`)).json()) as { price: number; accepted: number; rejected: number }
  expect(final.accepted).toBe(accepted)
  expect(final.rejected).toBe(rejected)
  expect(final.price).toBe(result.gauge('highest_accepted_bid')?.max)
}, 160_000) // maxDuration + 30 s gracefulStop + 5 s to start

const fanout = scenario<Data>('bidding: one bid fanned out to every viewer', {
  executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '2m',
  profiles: { ci: {} },
  thresholds: { ws_fanout_delivered: ['rate>0.99'], ws_fanout_latency: ['p(95)<250'] },
}, async ({ ws, http, data, check }) => {
  const viewers = data.viewers ?? 200
  const fan = await ws.fanout(`${data.url.replace('http', 'ws')}/items/${data.item}/watch`, { sessions: viewers, name: 'WS /items/:id/watch' })
  await Promise.all(fan.sessions.map((s) => s.next((m) => m.json<{ type: string }>().type === 'hello', 5000)))
  let bidId = -1
  await fan.measure(async () => {
    const res = await http.post(`${data.url}/items/${data.item}/bids`, { json: { user: 'auctioneer', amount: 1_000_000 }, name: 'POST /items/:id/bids' })
    bidId = res.json<{ bidId: number }>().bidId
  }, (m) => m.json<{ type: string; bidId?: number }>().type === 'bid', 10_000)
  check(bidId, { 'bid accepted': (id) => id > 0 })
  await fan.close()
})

test('fan-out: every viewer receives the bid, and we know how long it took', async () => {
  const item = (await (await fetch(`${app.url}/items`, { method: 'POST', body: JSON.stringify({ price: 0 }) })).json()) as { id: number }
  const viewers = process.env['LOADSPEC_PROFILE'] === 'full' ? 5000 : 200
  const result = await fanout.run({ data: { url: app.url, item: item.id, viewers } })
  expect(result.rate('ws_fanout_delivered')).toMatchObject({ passes: viewers, fails: 0 })
  expect(result.trend('ws_fanout_latency')?.count).toBe(viewers)
  expect(result.trend('ws_fanout_complete')?.count).toBe(1)
  expect(result.rate('checks')).toMatchObject({ passes: 1, fails: 0 })
  expect(result.errors.total).toBe(0)
  expect(result).toPassThresholds()
}, 160_000)
