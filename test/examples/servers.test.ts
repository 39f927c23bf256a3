import { describe, expect, test } from 'vitest'
import { startRelayServer } from '../../examples/relay/server.ts'
import { startPollingRoomsServer } from '../../examples/polling-rooms/server.ts'

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } })

describe('relay example', () => {
  test('routes answer as documented and stats count what arrived', async () => {
    const app = await startRelayServer()
    try {
      const sent = await post(`${app.url}/messages`, { room: 'r1', text: 'hello' })
      expect(sent.status).toBe(201)
      expect(await sent.json()).toMatchObject({ id: 1 })
      expect((await post(`${app.url}/messages`, '{nope')).status).toBe(400)
      expect((await post(`${app.url}/messages`, { text: '' })).status).toBe(400)
      expect((await post(`${app.url}/messages`, { text: 'x'.repeat(70_000) })).status).toBe(413)
      expect(await (await fetch(`${app.url}/messages?room=r1`)).json()).toMatchObject({ messages: [{ id: 1, text: 'hello', room: 'r1' }] })
      expect(await (await fetch(`${app.url}/rooms/r1/messages?since=1`)).json()).toEqual({ messages: [] })
      expect(await (await fetch(`${app.url}/relay/status`)).json()).toMatchObject({ messages: 1, rooms: 1 })
      expect((await fetch(`${app.url}/health`)).status).toBe(200)
      expect((await fetch(`${app.url}/nope`)).status).toBe(404)
      expect(app.stats().routes).toEqual({
        'POST /messages': { 201: 1, 400: 2, 413: 1 }, 'GET /messages': { 200: 1 }, 'GET /rooms/:id/messages': { 200: 1 },
        'GET /relay/status': { 200: 1 }, 'GET /health': { 200: 1 }, unmatched: { 404: 1 },
      })
      expect(app.stats().requests).toBe(9)
    } finally {
      await app.close()
      await app.close()
    }
  })

  test('failureRate answers a predictable share with 500; latency is added', async () => {
    const app = await startRelayServer({ failureRate: 0.1, latencyMs: 30 })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 20; i++) statuses.push((await fetch(`${app.url}/health`)).status)
      expect(statuses.filter((s) => s === 500).length).toBe(2)
      const t0 = performance.now()
      await fetch(`${app.url}/health`)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(29)
    } finally {
      await app.close()
    }
  })
})

describe('polling rooms example', () => {
  test('login, rooms, polls and 401/404', async () => {
    const app = await startPollingRoomsServer()
    try {
      expect((await post(`${app.url}/auth/login`, { password: 'wrong' })).status).toBe(401)
      const { token } = (await (await post(`${app.url}/auth/login`, { password: 'loadspec' })).json()) as { token: string }
      const auth = { authorization: `Bearer ${token}` }
      expect((await post(`${app.url}/rooms`, {})).status).toBe(401)
      const { id } = (await (await post(`${app.url}/rooms`, {}, auth)).json()) as { id: number }
      const poll = await fetch(`${app.url}/rooms/${id}/messages/poll`, { headers: auth })
      expect(poll.status).toBe(200)
      const text = await poll.text()
      expect(text.length).toBeGreaterThan(300)
      expect(text.length).toBeLessThan(4000)
      expect((await fetch(`${app.url}/rooms/${id}/chatting-agents`, { headers: auth })).status).toBe(200)
      expect((await fetch(`${app.url}/rooms/999/messages/poll`, { headers: auth })).status).toBe(404)
      expect((await fetch(`${app.url}/rooms/${id}/messages/poll`)).status).toBe(401)
      expect((await fetch(`${app.url}/rooms/${id}`, { method: 'DELETE', headers: auth })).status).toBe(204)
    } finally {
      await app.close()
    }
  })

  test('rate limits: 429 with Retry-After exactly after 60 polls and 120 agent checks per window', async () => {
    const app = await startPollingRoomsServer({ rateWindowMs: 400 })
    try {
      const { token } = (await (await post(`${app.url}/auth/login`, { password: 'loadspec' })).json()) as { token: string }
      const auth = { authorization: `Bearer ${token}` }
      const { id } = (await (await post(`${app.url}/rooms`, {}, auth)).json()) as { id: number }
      const burst = (path: string, n: number) => Promise.all(Array.from({ length: n }, () => fetch(`${app.url}/rooms/${id}/${path}`, { headers: auth }).then(async (r) => { await r.arrayBuffer(); return r })))
      const msgs = await burst('messages/poll', 65)
      expect(msgs.filter((r) => r.status === 200).length).toBe(60)
      const limited = msgs.filter((r) => r.status === 429)
      expect(limited.length).toBe(5)
      expect(limited[0]?.headers.get('retry-after')).toMatch(/^\d+$/)
      expect((await burst('chatting-agents', 125)).filter((r) => r.status === 429).length).toBe(5)
      await new Promise((r) => setTimeout(r, 450))
      expect((await burst('messages/poll', 1))[0]?.status).toBe(200)
    } finally {
      await app.close()
    }
  })
})
