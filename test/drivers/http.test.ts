/** The HTTP driver against real local servers: timings, counts, bodies, error kinds, abort, cleanup. */
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { HttpDriver } from '../../src/drivers/http.ts'
import { defaultEndpointName } from '../../src/drivers/endpoint-name.ts'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { PerfResult } from '../../src/metrics/result.ts'
import { HttpRequestError } from '../../src/errors.ts'
import type { VuState } from '../../src/core/vu-state.ts'
import { leakableHandles, refusedUrl, startEchoServer, startRawServer, startServer, type TestServer } from '../helpers/servers.ts'

function vu(): VuState & { controller: AbortController } {
  const controller = new AbortController()
  return { id: 1, scenario: 'default', iteration: 0, lagMs: null, signal: controller.signal, controller }
}

function setup(opts: { timeoutMs?: number } = {}) {
  const registry = new MetricsRegistry()
  const driver = new HttpDriver({ sink: registry, ...opts })
  const state = vu()
  const result = () => { driver.flushBytes(); return new PerfResult({ version: 1, name: 't', startTime: 0, durationMs: 1000, metrics: registry.snapshot(), thresholds: [] }) }
  return { registry, driver, state, http: driver.forVu(state), result }
}

describe('HTTP driver', () => {
  let echo: TestServer
  let statuses: TestServer
  beforeAll(async () => {
    echo = await startEchoServer()
    statuses = await startServer((req, res) => {
      const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 200)
      const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0)
      setTimeout(() => { res.statusCode = status; res.end(`status ${status}`) }, delay)
    })
  })
  afterAll(async () => { await Promise.all([echo.close(), statuses.close()]) })

  test('timings add up, waiting covers the server delay, and counts equal what the server received', async () => {
    const { http, driver, result } = setup()
    const before = statuses.received()
    for (let i = 0; i < 5; i++) {
      const res = await http.get(`${statuses.url}/wait/${i}?delay=50`)
      const t = res.timings
      expect(t.duration).toBeCloseTo(t.sending + t.waiting + t.receiving, 6)
      expect(t.waiting).toBeGreaterThanOrEqual(49)
      expect(res.status).toBe(200)
      expect(res.body).toBe('status 200')
    }
    await driver.close()
    const r = result()
    expect(statuses.received() - before).toBe(5)
    expect(r.counter('http_reqs')?.count).toBe(5)
    expect(r.endpoints()).toEqual(['GET /wait/:id'])
    expect(r.trend('http_req_waiting')?.min).toBeGreaterThanOrEqual(49)
    expect(r.trend('http_req_connecting')?.count).toBe(1) // one keep-alive connection for one sequential VU
  })

  test('repeated requests keep their names and tags apart: a name option, another method, tags changed in place', async () => {
    const { http, driver, result } = setup()
    const url = `${statuses.url}/same`
    await http.get(url)
    await http.get(url)
    await http.get(url, { name: 'named' })
    await http.get(url)
    await http.post(url)
    const tags: Record<string, string> = { step: 'a' }
    await http.get(url, { tags })
    tags.step = 'b'
    await http.get(url, { tags })
    await driver.close()
    const r = result()
    expect(r.counter('http_reqs', { name: 'GET /same' })?.count).toBe(5)
    expect(r.counter('http_reqs', { name: 'named' })?.count).toBe(1)
    expect(r.counter('http_reqs', { name: 'POST /same' })?.count).toBe(1)
    expect(r.counter('http_reqs', { step: 'a' })?.count).toBe(1)
    expect(r.counter('http_reqs', { step: 'b' })?.count).toBe(1)
  })

  test('json and streamed request bodies arrive intact; headers and query are sent', async () => {
    const { http, driver } = setup()
    const a = await http.post(`${echo.url}/j`, { json: { hello: 'wörld', n: [1, 2] }, headers: { 'x-trace': 't1' }, query: { a: 1, b: 'x y' } })
    const echoed = a.json<{ body: string; url: string; headers: Record<string, string> }>()
    expect(JSON.parse(echoed.body)).toEqual({ hello: 'wörld', n: [1, 2] })
    expect(echoed.headers['content-type']).toBe('application/json')
    expect(echoed.headers['x-trace']).toBe('t1')
    expect(echoed.url).toBe('/j?a=1&b=x+y')
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.from(`chunk-${i};`))
    const b = await http.put(`${echo.url}/stream`, { body: Readable.from(chunks) })
    expect(b.json<{ body: string }>().body).toBe(Buffer.concat(chunks).toString())
    expect(b.headers['content-type']).toBe('application/json')
    await driver.close()
  })

  test.each([
    [404, '4xx'], [429, 'rate_limited'], [500, '5xx'], [503, '5xx'],
  ])('status %d is a failed request of kind %s, returned not thrown', async (status, kind) => {
    const { http, driver, result } = setup()
    const res = await http.get(`${statuses.url}/s?status=${status}`)
    expect(res).toMatchObject({ status, ok: false, errorKind: kind })
    await driver.close()
    const r = result()
    expect(r.errorRate).toBe(1)
    expect(r.errors.byKind).toEqual({ [kind]: 1 })
    expect(r.errors.byStatus).toEqual({ [String(status)]: 1 })
  })

  test('expectedStatuses makes a status a success', async () => {
    const { http, driver, result } = setup()
    const res = await http.get(`${statuses.url}/s?status=404`, { expectedStatuses: [404] })
    expect(res.ok).toBe(true)
    await driver.close()
    expect(result().errorRate).toBe(0)
  })

  test('refused, reset and timeout are counted by kind with status 0 and no duration sample', async () => {
    const reset = await startRawServer('reset')
    const silent = await startRawServer('silent')
    const { http, driver, result } = setup()
    try {
      const refused = await http.get(`${await refusedUrl()}/`)
      expect(refused).toMatchObject({ status: 0, ok: false, errorKind: 'refused' })
      expect(refused.error).toMatch(/ECONNREFUSED/)
      expect((await http.get(`${reset.url}/`)).errorKind).toBe('reset')
      const t0 = performance.now()
      expect((await http.get(`${silent.url}/`, { timeout: 200 })).errorKind).toBe('timeout')
      expect(performance.now() - t0).toBeLessThan(2000)
    } finally {
      await driver.close()
      await Promise.all([reset.close(), silent.close()])
    }
    const r = result()
    expect(r.errors.byKind).toEqual({ refused: 1, reset: 1, timeout: 1 })
    expect(r.counter('http_reqs', { status: '0' })?.count).toBe(3)
    expect(r.trend('http_req_duration')).toBeUndefined()
  })

  test('throw: true throws an HttpRequestError with kind and status', async () => {
    const { http, driver } = setup()
    await expect(http.get(`${statuses.url}/s?status=500`, { throw: true })).rejects.toMatchObject({ name: 'HttpRequestError', kind: '5xx', status: 500 })
    await expect(http.get(`${statuses.url}/s?status=500`, { throw: true })).rejects.toBeInstanceOf(HttpRequestError)
    await driver.close()
  })

  test('the VU signal aborts a request in flight at once, and our own abort is not a server failure', async () => {
    const silent = await startRawServer('silent')
    const { http, driver, state, result } = setup()
    const t0 = performance.now()
    setTimeout(() => state.controller.abort(), 100)
    const res = await http.get(`${silent.url}/`)
    expect(res.errorKind).toBe('aborted')
    expect(performance.now() - t0).toBeLessThan(1000)
    await driver.close()
    await silent.close()
    expect(result().counter('http_reqs')).toBeUndefined()
    expect(result().errors.total).toBe(0)
  })

  test('bytes on the wire are counted once, headers included', async () => {
    const { http, driver, result } = setup()
    const body = 'x'.repeat(10_000)
    await http.post(`${echo.url}/bytes`, { body })
    await driver.close()
    const { sent, received } = result().dataTransfer
    expect(sent).toBeGreaterThan(10_000)
    expect(sent).toBeLessThan(10_400)
    expect(received).toBeGreaterThan(10_000)
    expect(result().counter('data_sent')?.count).toBe(sent)
  })

  test('ids in paths collapse into one endpoint name', () => {
    expect(defaultEndpointName('GET', '/rooms/42/messages')).toBe('GET /rooms/:id/messages')
    expect(defaultEndpointName('GET', '/users/0b6f5c1e-8a3d-4e55-9a0b-4a3e1c2d9f10/x?since=3')).toBe('GET /users/:id/x')
    expect(defaultEndpointName('PUT', '/blobs/deadbeefcafe')).toBe('PUT /blobs/:id')
    expect(defaultEndpointName('GET', '/v1/conversations')).toBe('GET /v1/conversations')
    expect(defaultEndpointName('GET', '/')).toBe('GET /')
  })

  test('a bad URL is a clear error', async () => {
    const { http, driver } = setup()
    await expect(http.get('not a url')).rejects.toThrow(/"not a url" is not an absolute URL; use http:\/\/host:port\/path or set http.baseUrl/)
    await driver.close()
  })

  test('close() releases every socket and is safe twice', async () => {
    await new Promise((r) => setTimeout(r, 50))
    const before = leakableHandles()['TCPSocketWrap'] ?? 0
    const { http, driver } = setup()
    await Promise.all(Array.from({ length: 10 }, () => http.get(`${statuses.url}/s?delay=5`)))
    await driver.close()
    await driver.close()
    await new Promise((r) => setTimeout(r, 50))
    expect(leakableHandles()['TCPSocketWrap'] ?? 0).toBeLessThanOrEqual(before)
  })
})
