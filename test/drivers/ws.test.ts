/** The WebSocket driver against a real local ws server: counts, round trips, every failure kind, cleanup. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { run } from '../../src/index.ts'
import { leakableHandles } from '../helpers/servers.ts'
import { collapsePath, wsEndpointName } from '../../src/drivers/endpoint-name.ts'

let http: Server
let wss: WebSocketServer
let url = ''
let received = 0
const live = new Set<WebSocket>()

beforeAll(async () => {
  http = createServer()
  wss = new WebSocketServer({ noServer: true })
  http.on('upgrade', (req, socket, head) => {
    if (req.url === '/forbidden') { socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n'); return }
    wss.handleUpgrade(req, socket, head, (ws) => {
      live.add(ws)
      ws.on('close', () => live.delete(ws))
      ws.on('message', (data) => {
        received++
        const text = data.toString()
        if (text === 'drop') ws.terminate()
        else if (text === 'garbage') (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x8f, 0x01, 0x00]))
        else if (text !== 'silence') ws.send(JSON.stringify({ echo: text }))
      })
    })
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`
})
afterAll(async () => {
  for (const ws of live) ws.terminate()
  wss.close()
  http.closeAllConnections()
  await new Promise((r) => http.close(r))
})

describe('WebSocket driver', () => {
  test('sessions, messages and round trips are counted as the server saw them', async () => {
    const before = received
    const result = await run({ vus: 5, iterations: 20, data: { url }, fn: async ({ ws, data, check }) => {
      const s = await ws.connect(`${(data as { url: string }).url}/rooms/42/feed`)
      for (let i = 0; i < 3; i++) {
        const reply = await s.request(`m${i}`, (m) => m.json<{ echo: string }>().echo === `m${i}`)
        check(reply, { 'echoed': (r) => r !== null })
      }
      await s.close()
    } })
    expect(received - before).toBe(60)
    expect(result.counter('ws_sessions')?.count).toBe(20)
    expect(result.counter('ws_msgs_sent')?.count).toBe(60)
    expect(result.counter('ws_msgs_received')?.count).toBe(60)
    expect(result.trend('ws_rtt')?.count).toBe(60)
    expect(result.trend('ws_connecting')?.count).toBe(20)
    expect(result.trend('ws_session_duration')?.count).toBe(20)
    expect(result.rate('checks')).toMatchObject({ passes: 60, fails: 0 })
    expect(result.counter('ws_sessions', { name: 'WS /rooms/:id/feed' })?.count).toBe(20)
    expect(result.errors.total).toBe(0)
  })

  test('ids in session paths collapse into one name tag, with the same rules as HTTP', async () => {
    const result = await run({ vus: 2, iterations: 6, data: { url }, fn: async ({ ws, data, vu }) => {
      const u = (data as { url: string }).url
      // Per-session ids: a UUID, a long mixed token and a number, each new in every iteration.
      const feed = await ws.connect(`${u}/rooms/${randomUUID()}/feed?since=${vu.iteration}`)
      const inbox = await ws.connect(`${u}/users/u${vu.id}x${vu.iteration}abcdefghijklmnop/inbox/${1000 + vu.iteration}`)
      await Promise.all([feed.close(), inbox.close()])
    } })
    expect(result.metricTagValues('ws_sessions', 'name').sort()).toEqual(['WS /rooms/:id/feed', 'WS /users/:id/inbox/:id'])
    expect(result.counter('ws_sessions', { name: 'WS /rooms/:id/feed' })?.count).toBe(6)
    expect(result.counter('ws_sessions', { name: 'WS /users/:id/inbox/:id' })?.count).toBe(6)
    expect(result.metricTagValues('ws_session_duration', 'name')).toHaveLength(2)
  })

  test('the default WebSocket name follows the HTTP id rules', () => {
    const uuid = '0b6f5c1e-8a3d-4e55-9a0b-4a3e1c2d9f10'
    expect(wsEndpointName(`ws://h/rooms/${uuid}/feed`)).toBe(`WS ${collapsePath(`/rooms/${uuid}/feed`)}`)
    expect(wsEndpointName(`wss://h:8443/rooms/${uuid.toUpperCase()}/feed?token=abc`)).toBe('WS /rooms/:id/feed')
    expect(wsEndpointName('ws://h/blobs/deadbeefcafe')).toBe('WS /blobs/:id')
    expect(wsEndpointName('ws://h/v1/notifications')).toBe('WS /v1/notifications')
    expect(wsEndpointName('ws://h')).toBe('WS /')
    expect(wsEndpointName('not a url')).toBe('WS')
  })

  test('a socket the server drops, a malformed frame and a silent server are counted by kind, never hang', async () => {
    const t0 = performance.now()
    const result = await run({ iterations: 1, data: { url }, fn: async ({ ws, data }) => {
      const u = (data as { url: string }).url
      const dropped = await ws.connect(u)
      dropped.send('drop')
      expect(await dropped.next(undefined, 2000)).toBeNull()
      expect(dropped.closeCode).toBe(1006)
      const garbled = await ws.connect(u)
      garbled.send('garbage')
      expect(await garbled.next(undefined, 2000)).toBeNull()
      const silent = await ws.connect(u)
      silent.send('silence')
      expect(await silent.next(undefined, 200)).toBeNull()
      await silent.close()
    } })
    expect(performance.now() - t0).toBeLessThan(5000)
    expect(result.errors.byKind).toMatchObject({ reset: 1, protocol: 1, timeout: 1 })
  })

  test('refused and rejected handshakes are failed sessions, not exceptions', async () => {
    const result = await run({ iterations: 1, data: { url }, fn: async ({ ws, data }) => {
      const rejected = await ws.connect(`${(data as { url: string }).url}/forbidden`)
      expect(rejected).toMatchObject({ ok: false, closed: true, error: 'handshake answered 401' })
      expect(rejected.send('x')).toBe(false)
      const refused = await ws.connect('ws://127.0.0.1:1/')
      expect(refused.ok).toBe(false)
    } })
    expect(result.errors.byKind).toMatchObject({ '4xx': 1, refused: 1 })
    expect(result.errors.byStatus['401']).toBe(1)
  })

  test('sessions left open are closed at the end of the run, with no timer or socket left', async () => {
    await new Promise((r) => setTimeout(r, 50))
    const baseline = leakableHandles()
    await run({ vus: 10, iterations: 10, data: { url }, fn: async ({ ws, data }) => {
      const s = await ws.connect((data as { url: string }).url)
      s.send('silence')
      void s.next(undefined, 60_000) // a waiter on the shared timer that the run must clear
    } })
    await new Promise((r) => setTimeout(r, 100))
    expect(live.size).toBe(0)
    const after = leakableHandles()
    for (const [kind, n] of Object.entries(after)) expect(n, kind).toBeLessThanOrEqual(baseline[kind] ?? 0)
  })
})
