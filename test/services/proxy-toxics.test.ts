/**
 * Each toxic against real loopback servers, observed as a client sees it: through loadspec's own
 * run() where the figure is loadspec's (latency p50, error kinds), through plain sockets where it
 * is about bytes, reads and closes.
 */
import { once } from 'node:events'
import { request } from 'node:http'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { run, startFaultProxy, type FaultProxy, type PerfResult } from '../../src/index.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'
import { pattern, readBytes, startClient, startUpstream, type Upstream } from './proxy-helpers.ts'

const portOf = (url: string) => Number(new URL(url).port)
/** 2 VUs × 5 requests of GET / against `url`, with a request timeout. */
const load = (url: string, timeout = 10_000): Promise<PerfResult> => run({ executor: 'per-vu-iterations', vus: 2, iterations: 5, data: { url },
  http: { timeout }, fn: async ({ http, data }) => { await http.get(`${(data as { url: string }).url}/`) } })

describe('through loadspec', () => {
  let server: TestServer
  let proxy: FaultProxy
  beforeAll(async () => { server = await startServer((_req, res) => res.end('ok')) })
  afterAll(() => server.close())
  // A proxy per test: connections a run leaves open would draw the next test's toxic.
  beforeEach(async () => { proxy = await startFaultProxy({ upstream: { port: portOf(server.url) } }) })
  afterEach(() => proxy.close())

  test('100 ms of latency adds 100 ms to p50, within 5 %', async () => {
    // 10 VUs × 30 requests each way: the medians of 300 requests.
    const measure = async (url: string) => (await run({ executor: 'per-vu-iterations', vus: 10, iterations: 30, data: { url },
      fn: async ({ http, data }) => { await http.get(`${(data as { url: string }).url}/`) } })).trend('http_req_duration')
    const direct = await measure(server.url)
    const id = proxy.addToxic({ type: 'latency', latency: 100 })
    try {
      const slowed = await measure(proxy.url)
      expect(direct?.count).toBe(300)
      expect(slowed?.count).toBe(300)
      const added = (slowed?.p50 ?? 0) - (direct?.p50 ?? 0)
      expect(added).toBeGreaterThanOrEqual(95)
      expect(added).toBeLessThanOrEqual(105)
    } finally { await proxy.removeToxic(id) }
  })

  test('reset_peer is counted as a reset', async () => {
    const id = proxy.addToxic({ type: 'reset_peer' })
    try {
      const r = await load(proxy.url)
      expect(r.errors.byKind).toEqual({ reset: 10 })
      expect(proxy.stats.resets).toBe(10)
    } finally { await proxy.removeToxic(id) }
    expect((await load(proxy.url)).errors.byKind).toEqual({})
  })

  test('timeout 0 holds the connection: the request is a timeout', async () => {
    const id = proxy.addToxic({ type: 'timeout', timeout: 0 })
    try {
      const r = await load(proxy.url, 300)
      expect(r.errors.byKind).toEqual({ timeout: 10 })
      expect(proxy.stats.downstream.dropped).toBeGreaterThan(0)
    } finally { await proxy.removeToxic(id) }
  })
})

describe('through sockets', () => {
  let proxy: FaultProxy
  let upstream: Upstream
  /** What the upstream sends each connection, once it has read 4 bytes ('send'). */
  let reply: { body: Buffer; end: boolean } = { body: Buffer.alloc(0), end: true }
  beforeAll(async () => {
    upstream = await startUpstream((s) => {
      let got = 0
      s.on('data', (d: Buffer) => {
        got += d.length
        if (got !== 4) return
        if (reply.end) s.end(reply.body)
        else s.write(reply.body)
      })
    })
    proxy = await startFaultProxy({ upstream: { port: upstream.port } })
  })
  afterAll(async () => { await proxy.close(); await upstream.close() })

  /** Connects through the proxy, asks for the reply and returns what arrived until the close. */
  const fetchReply = async (body: Buffer, end = true) => {
    reply = { body, end }
    const client = await startClient(proxy.port)
    const sentAt = performance.now()
    client.socket.write('send')
    return { sentAt, ...(await client.done) }
  }
  const withToxic = async <T>(spec: Parameters<FaultProxy['addToxic']>[0], fn: () => Promise<T>): Promise<T> => {
    const id = proxy.addToxic(spec)
    try { return await fn() } finally { await proxy.removeToxic(id) }
  }

  test('bandwidth 100 KB/s bounds the transfer rate of a large body', async () => {
    const body = pattern(200_000)
    const got = await withToxic({ type: 'bandwidth', rate: 100 }, () => fetchReply(body))
    expect(got.data.equals(body)).toBe(true)
    const rate = body.length / ((got.closedAt - got.sentAt) / 1000)
    expect(rate).toBeLessThanOrEqual(100_000 * 1.1)
    expect(rate).toBeGreaterThanOrEqual(100_000 * 0.5)
  })

  test('slicer delivers the same bytes in many reads', async () => {
    const body = pattern(4000)
    const plain = await fetchReply(body)
    const sliced = await withToxic({ type: 'slicer', averageSize: 100, sizeVariation: 50, delay: 2000 }, () => fetchReply(body))
    expect(sliced.data.equals(body)).toBe(true)
    // Slices of 25…150 bytes 2 ms apart: ~40 writes. The same body unsliced takes a read or two.
    expect(sliced.reads).toBeGreaterThanOrEqual(10)
    expect(sliced.reads).toBeGreaterThan(plain.reads * 4)
  })

  test('limit_data passes N bytes, then closes both sides', async () => {
    const body = pattern(10_000)
    const n = upstream.sockets.length + 1
    const got = await withToxic({ type: 'limit_data', bytes: 1000 }, async () => {
      const r = fetchReply(body, false)
      const server = await upstream.accepted(n)
      const [received] = await Promise.all([r, once(server, 'close')])
      return received
    })
    expect(got.data.equals(body.subarray(0, 1000))).toBe(true)
    expect(got.endAt).toBeDefined()
    expect(got.error).toBeUndefined()
  })

  test('slow_close holds the close after the data', async () => {
    const got = await withToxic({ type: 'slow_close', delay: 300 }, () => fetchReply(Buffer.from('bye')))
    expect(got.data.toString()).toBe('bye')
    // The data passes at once; the FIN 300 ms after it (a timer may fire up to 1 ms early).
    expect((got.endAt ?? 0) - (got.firstAt ?? 0)).toBeGreaterThanOrEqual(299)
  })

  test('timeout closes the connection after its time, having passed nothing', async () => {
    // The server keeps its side open: its FIN would pass through and end the connection at once, as in Toxiproxy.
    const got = await withToxic({ type: 'timeout', timeout: 200 }, () => fetchReply(Buffer.from('lost'), false))
    expect(got.data.length).toBe(0)
    expect(got.closedAt - got.sentAt).toBeGreaterThanOrEqual(199)
  })

  test('reset_peer with a timeout resets that long after the first data', async () => {
    const got = await withToxic({ type: 'reset_peer', timeout: 200 }, () => fetchReply(Buffer.from('lost'), false))
    expect(got.error?.code).toBe('ECONNRESET')
    expect(got.data.length).toBe(0)
    expect(got.closedAt - got.sentAt).toBeGreaterThanOrEqual(199)
  })

  test('latency with jitter spreads each chunk\'s delay over latency ± jitter', async () => {
    const echo = await startUpstream((s) => s.on('data', (d: Buffer) => s.write(d)))
    const p = await startFaultProxy({ upstream: { port: echo.port } })
    try {
      p.addToxic({ type: 'latency', latency: 60, jitter: 40 })
      const client = await startClient(p.port)
      const rtts: number[] = []
      for (let i = 0; i < 25; i++) {
        const t0 = performance.now()
        const back = readBytes(client.socket, 1)
        client.socket.write('x')
        await back
        rtts.push(performance.now() - t0)
      }
      client.socket.destroy()
      expect(Math.min(...rtts)).toBeGreaterThanOrEqual(19)
      // Loopback and timers add a little on a busy machine; 100 ms is the top of the spread.
      expect(Math.max(...rtts)).toBeLessThan(100 + 50)
      expect(Math.max(...rtts) - Math.min(...rtts)).toBeGreaterThan(20)
    } finally { await p.close(); await echo.close() }
  })
})

describe('with an HTTP client', () => {
  test('upstream latency delays the request, not the response', async () => {
    let arrived = 0
    const server = await startServer((_req, res) => { arrived = performance.now(); res.end('ok') })
    const proxy = await startFaultProxy({ upstream: { port: portOf(server.url) } })
    try {
      proxy.addToxic({ type: 'latency', latency: 150, stream: 'upstream' })
      const t0 = performance.now()
      const doneAt = await new Promise<number>((resolve, reject) => {
        request(`${proxy.url}/`, { agent: false }, (res) => { res.resume(); res.on('end', () => resolve(performance.now())) }).on('error', reject).end()
      })
      expect(arrived - t0).toBeGreaterThanOrEqual(149)
      expect(doneAt - arrived).toBeLessThan(149)
    } finally { await proxy.close(); await server.close() }
  })
})
