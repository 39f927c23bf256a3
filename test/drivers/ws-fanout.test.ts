/** Fan-out latencies match a server that delays its broadcast by a known amount. */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { run } from '../../src/index.ts'
import { startBiddingServer, type BiddingApp } from '../../examples/bidding/server.ts'

let app: BiddingApp
beforeAll(async () => { app = await startBiddingServer({ broadcastDelayMs: 60 }) })
afterAll(async () => { await app.close() })

test('a 60 ms broadcast delay shows as ≥ 60 ms delivery latency at every percentile, 100% delivered', async () => {
  const item = (await (await fetch(`${app.url}/items`, { method: 'POST', body: JSON.stringify({ price: 0 }) })).json()) as { id: number }
  const result = await run({ iterations: 1, data: { url: app.url, item: item.id }, fn: async ({ ws, http, data }) => {
    const d = data as { url: string; item: number }
    const fan = await ws.fanout(`${d.url.replace('http', 'ws')}/items/${d.item}/watch`, { sessions: 100 })
    await Promise.all(fan.sessions.map((s) => s.next((m) => m.json<{ type: string }>().type === 'hello')))
    const event = await fan.measure(() => http.post(`${d.url}/items/${d.item}/bids`, { json: { user: 'a', amount: 5 } }),
      (m) => m.json<{ type: string }>().type === 'bid', 5000)
    expect(event).toMatchObject({ delivered: 100, total: 100 })
    await fan.close()
  } })
  const lat = result.trend('ws_fanout_latency')
  expect(lat?.count).toBe(100)
  // Node timers may fire up to ~1 ms early; the rest is delivery to 100 local sockets.
  expect(lat?.min).toBeGreaterThanOrEqual(59)
  expect(lat?.p50).toBeLessThan(60 + 40)
  expect(lat?.p99).toBeLessThan(60 + 60)
  expect(result.rate('ws_fanout_delivered')).toMatchObject({ passes: 100, fails: 0, rate: 1 })
  expect(result.trend('ws_fanout_complete')?.max).toBeGreaterThanOrEqual(lat?.p99 ?? 0)
  expect(app.viewers()).toBe(0)
})

test('viewers that never get the event count as not delivered', async () => {
  const item = (await (await fetch(`${app.url}/items`, { method: 'POST', body: JSON.stringify({ price: 0 }) })).json()) as { id: number }
  const result = await run({ iterations: 1, data: { url: app.url, item: item.id }, fn: async ({ ws, data }) => {
    const d = data as { url: string; item: number }
    const fan = await ws.fanout(`${d.url.replace('http', 'ws')}/items/${d.item}/watch`, { sessions: 10 })
    const event = await fan.measure(() => {}, (m) => m.json<{ type: string }>().type === 'bid', 200)
    expect(event).toMatchObject({ delivered: 0, total: 10, completeMs: null })
    await fan.close()
  } })
  expect(result.rate('ws_fanout_delivered')).toMatchObject({ passes: 0, fails: 10 })
  expect(result.errors.byKind.timeout).toBe(10)
})
