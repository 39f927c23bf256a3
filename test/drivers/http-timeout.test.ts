/**
 * The request timeout bounds the whole exchange, on both clients that carry requests: our own
 * HTTP/1.1 connection (plain http) and undici (https, streamed bodies, a VU's concurrent requests).
 * The server sends its head at once and then trickles the body one byte per 100 ms, so no gap
 * between reads ever reaches the timeout: only a deadline over the whole exchange ends it, as a
 * counted `timeout`, long before the body would be complete.
 */
import { readFileSync } from 'node:fs'
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import * as tls from 'node:tls'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { HttpDriver } from '../../src/drivers/http.ts'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { PerfResult } from '../../src/metrics/result.ts'
import { run } from '../../src/index.ts'
import type { VuState } from '../../src/core/vu-state.ts'

const BODY_BYTES = 100
const TRICKLE_MS = 100
/** The whole body would take BODY_BYTES × TRICKLE_MS = 10 s. */
const FULL_TRICKLE_MS = BODY_BYTES * TRICKLE_MS
const TIMEOUT_MS = 300

interface Trickle {
  url: string
  /** Resolves when the server saw the connection of its `n`-th request (1-based) close, with the body bytes it had sent. */
  closed(n: number): Promise<number>
  /** Requests answered so far. */
  requests(): number
  close(): Promise<void>
}

/**
 * Answers every request with a head at once, then one body byte per TRICKLE_MS (content-length,
 * or one-byte chunks when the path has `chunked`), until the body is complete or the client leaves.
 */
function trickle(secure: boolean): Promise<Trickle> {
  const sockets = new Set<Socket>()
  const closes: { promise: Promise<number>; resolve: (n: number) => void }[] = []
  const slot = (n: number) => {
    while (closes.length < n) {
      let resolve: (sent: number) => void = () => {}
      const promise = new Promise<number>((r) => { resolve = r })
      closes.push({ promise, resolve })
    }
    return closes[n - 1] as { promise: Promise<number>; resolve: (n: number) => void }
  }
  let requests = 0
  const onSocket = (socket: Socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    let buf = ''
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1')
      const end = buf.indexOf('\r\n\r\n')
      if (end === -1) return
      const head = buf.slice(0, end)
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0)
      const chunkedRequest = /transfer-encoding: chunked/i.test(head)
      // Wait for the request body (fixed length, or a chunked one up to its last chunk).
      if (chunkedRequest ? !buf.includes('0\r\n\r\n', end) : buf.length < end + 4 + length) return
      buf = ''
      const n = ++requests
      const chunked = head.includes('chunked')
      socket.write(`HTTP/1.1 200 OK\r\n${chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${BODY_BYTES}`}\r\n\r\n`)
      let sent = 0
      const timer = setInterval(() => {
        if (socket.destroyed) return
        socket.write(chunked ? '1\r\nx\r\n' : 'x')
        if (++sent === BODY_BYTES) { clearInterval(timer); if (chunked) socket.write('0\r\n\r\n') }
      }, TRICKLE_MS)
      socket.once('close', () => { clearInterval(timer); sockets.delete(socket); slot(n).resolve(sent) })
    })
  }
  const server: Server = secure
    ? createTlsServer({ key: readFileSync(new URL('../fixtures/tls/key.pem', import.meta.url)), cert: readFileSync(new URL('../fixtures/tls/cert.pem', import.meta.url)) }, onSocket)
    : createTcpServer(onSocket)
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo
    resolve({
      url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
      closed: (n) => slot(n).promise,
      requests: () => requests,
      close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()) }),
    })
  }))
}

function setup() {
  const registry = new MetricsRegistry()
  const driver = new HttpDriver({ sink: registry })
  const state: VuState = { id: 1, scenario: 'default', iteration: 0, lagMs: null, signal: new AbortController().signal }
  const result = () => { driver.flushBytes(); return new PerfResult({ version: 1, name: 't', startTime: 0, durationMs: 1000, metrics: registry.snapshot(), thresholds: [] }) }
  return { driver, http: driver.forVu(state), result }
}

/** Runs `request`, returning its response and the ms it took as the VU saw it. */
async function timed<T>(request: () => Promise<T>): Promise<{ res: T; ms: number }> {
  const t0 = performance.now()
  const res = await request()
  return { res, ms: performance.now() - t0 }
}

/** The response of a request the timeout ended, and the counts it left. */
function expectTimedOut(res: { status: number; errorKind: string | null; error: string | null }, ms: number): void {
  expect(res).toMatchObject({ status: 0, errorKind: 'timeout' })
  expect(res.error).toMatch(/UND_ERR_BODY_TIMEOUT: Body Timeout Error \(response body not complete within the request timeout of 300 ms\)/)
  expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS)
  // Far below the 10 s the body would take, with room for a busy machine.
  expect(ms).toBeLessThan(FULL_TRICKLE_MS / 2)
}

describe('request timeout over the whole exchange', () => {
  let plain: Trickle
  let secure: Trickle
  beforeAll(async () => {
    [plain, secure] = await Promise.all([trickle(false), trickle(true)])
  })
  afterAll(async () => { await Promise.all([plain.close(), secure.close()]) })

  test.each([
    ['a content-length body', '/len'],
    ['a chunked body', '/chunked'],
  ])('our own connection: %s trickling one byte per 100 ms is a counted timeout at the deadline', async (_label, path) => {
    const { driver, http, result } = setup()
    const before = plain.requests()
    const { res, ms } = await timed(() => http.get(`${plain.url}${path}`, { timeout: TIMEOUT_MS }))
    expectTimedOut(res, ms)
    // The connection was cut: the server stopped trickling well before the whole body.
    expect(await plain.closed(before + 1)).toBeLessThan(BODY_BYTES / 2)
    await driver.close()
    const r = result()
    expect(r.counter('http_reqs')?.count).toBe(1)
    expect(r.rate('http_req_failed')).toMatchObject({ passes: 1, fails: 0 })
    expect(r.errors.byKind).toEqual({ timeout: 1 })
  })

  test('undici: a VU\'s two concurrent requests (own connection + pool) both time out and are counted', async () => {
    const { driver, http, result } = setup()
    const t0 = performance.now()
    const both = await Promise.all([
      http.get(`${plain.url}/a`, { timeout: TIMEOUT_MS }).then((res) => ({ res, ms: performance.now() - t0 })),
      http.get(`${plain.url}/b`, { timeout: TIMEOUT_MS }).then((res) => ({ res, ms: performance.now() - t0 })),
    ])
    for (const { res, ms } of both) expectTimedOut(res, ms)
    await driver.close()
    const r = result()
    expect(r.counter('http_reqs')?.count).toBe(2)
    expect(r.rate('http_req_failed')).toMatchObject({ passes: 2, fails: 0 })
    expect(r.errors.byKind).toEqual({ timeout: 2 })
  })

  test('undici: a request with a streamed body times out at its deadline', async () => {
    const { driver, http, result } = setup()
    const { res, ms } = await timed(() => http.post(`${plain.url}/len`, { body: Readable.from([Buffer.from('up'), Buffer.from('load')]), timeout: TIMEOUT_MS }))
    expectTimedOut(res, ms)
    await driver.close()
    expect(result().errors.byKind).toEqual({ timeout: 1 })
    expect(result().counter('http_reqs')?.count).toBe(1)
  })

  test.skipIf(typeof tls.setDefaultCACertificates !== 'function')('undici: an https request (the VU\'s own undici Client) times out at its deadline', async () => {
    // The test certificate is trusted for this file's process only (Node ≥ 22.19 / 23.5).
    const previous = tls.getCACertificates('default')
    tls.setDefaultCACertificates([...previous, readFileSync(new URL('../fixtures/tls/cert.pem', import.meta.url), 'latin1')])
    try {
      const { driver, http, result } = setup()
      const { res, ms } = await timed(() => http.get(`${secure.url}/chunked`, { timeout: TIMEOUT_MS }))
      expectTimedOut(res, ms)
      await driver.close()
      expect(result().errors.byKind).toEqual({ timeout: 1 })
      expect(result().counter('http_reqs')?.count).toBe(1)
    } finally {
      tls.setDefaultCACertificates(previous)
    }
  })

  test('in a run, the trickled request ends as a counted timeout, not as a request cut off by the graceful stop', async () => {
    const { ms, res: result } = await timed(() => run({
      executor: 'constant-vus', vus: 1, duration: '100ms', gracefulStop: '30s', data: { url: plain.url },
      fn: async ({ http, data }) => { await http.get(`${(data as { url: string }).url}/len`, { timeout: TIMEOUT_MS }) },
    }))
    expect(ms).toBeLessThan(FULL_TRICKLE_MS / 2)
    expect(result.iterations.interrupted).toBe(0)
    expect(result.iterations.completed).toBeGreaterThanOrEqual(1)
    const reqs = result.counter('http_reqs')?.count ?? 0
    expect(reqs).toBe(result.iterations.completed)
    expect(result.errors.byKind).toEqual({ timeout: reqs })
    expect(result.errorRate).toBe(1)
  })
})
