/**
 * The polling-rooms suite (aiohttp seed): users × rooms, each user polling two endpoints per room
 * every 4 s under per-token rate limits (60/min messages, 120/min agents). 429s are counted as
 * rate-limited, not as failures; the summary shows errors by status, bandwidth in/out (kbps) and
 * projected hourly/daily transfer. `ci`: 4 users × 2 rooms for 3 s; `full`: the seed's 50 × 2 for 5 min.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { perf, scenario, type VuContext } from '../src/plugin/vitest/index.ts'
import { startPollingRoomsServer } from '../examples/polling-rooms/server.ts'

let api: Awaited<ReturnType<typeof startPollingRoomsServer>>
beforeAll(async () => { api = await startPollingRoomsServer() })
afterAll(async () => { await api.close() })

interface Data { baseUrl: string; password: string; roomsPerUser: number }

/** Both poll endpoints of every room of this user; 429 is expected traffic here, counted on its own. */
const pollingUser = async ({ http, data, state, check, metrics, vu }: VuContext<Data>) => {
  if (!state['token']) {
    // Locust's on_start: log in and create this user's rooms once per VU.
    const login = await http.post(`${data.baseUrl}/auth/login`, { json: { password: data.password }, throw: true })
    state['token'] = login.json<{ token: string }>().token
    const headers = { authorization: `Bearer ${state['token'] as string}` }
    const rooms: number[] = []
    for (let r = 0; r < data.roomsPerUser; r++) rooms.push((await http.post(`${data.baseUrl}/rooms`, { headers, throw: true })).json<{ id: number }>().id)
    state['rooms'] = rooms
    state['headers'] = headers
  }
  const headers = state['headers'] as Record<string, string>
  const expectedStatuses = [{ min: 200, max: 299 }, 429]
  const polls = (state['rooms'] as number[]).flatMap((id) => [
    http.get(`${data.baseUrl}/rooms/${id}/messages/poll`, { headers, expectedStatuses }),
    http.get(`${data.baseUrl}/rooms/${id}/chatting-agents`, { headers, expectedStatuses }),
  ])
  // Created before any 429, so the rate_limited threshold has its metric even when nothing was limited.
  const limited = metrics.counter('rate_limited')
  for (const res of await Promise.all(polls)) {
    if (res.status === 429) limited.add(1, { name: res.name })
    check(res, { 'not rate limited': (r) => r.status !== 429 }, { user: String(vu.id % 1000) })
  }
}

perf<Data>('polling rooms: users × rooms polling every 4 s', {
  executor: 'constant-vus', vus: 50, duration: '5m', pacing: '4s', gracefulStop: '5s',
  thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<500'], rate_limited: ['count<1'] },
  profiles: { ci: { vus: 4, duration: '3s', pacing: '1s', gracefulStop: '2s' }, full: {} },
  setup: () => ({ baseUrl: api.url, password: 'loadspec', roomsPerUser: 2 }),
}, pollingUser)

// Polling faster than the limit allows: the limiter must answer 429, and loadspec must count it.
const tooFast = scenario<Data>('polling rooms: one user polling past the rate limit', {
  executor: 'per-vu-iterations', vus: 1, iterations: 40,
}, pollingUser)

test('polling past the limit is counted as rate-limited, not as failure', async () => {
  const result = await tooFast.run({ data: { baseUrl: api.url, password: 'loadspec', roomsPerUser: 1 } })
  // 40 polls of one room: messages allow 60/min, so none limited there; run a second time to cross it
  const again = await tooFast.run({ data: { baseUrl: api.url, password: 'loadspec', roomsPerUser: 1 }, iterations: 70 })
  expect(result.counter('rate_limited')).toBeUndefined()
  expect(again.counter('rate_limited', { name: 'GET /rooms/:id/messages/poll' })?.count).toBe(10)
  expect(again).toHaveErrorRateBelow(0.0001)
  expect(again.errors.byStatus['429'] ?? 0).toBe(0)
  expect(again.dataTransfer.received).toBeGreaterThan(again.dataTransfer.sent)
})
