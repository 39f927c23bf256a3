/**
 * loadspec's own HTTP/1.1 connection (plain http) against a TCP server that writes responses byte
 * by byte as we script them: framing (length, chunked, until close, no body), interim responses,
 * keep-alive reuse and reconnects, malformed responses, timeouts, and requests it must refuse.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { HttpDriver } from '../../src/drivers/http.ts'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { PerfResult } from '../../src/metrics/result.ts'
import type { VuState } from '../../src/core/vu-state.ts'

/** What the scripted server got: each request's head and body, and how many connections. */
interface Seen { heads: string[]; bodies: string[]; connections: number }
type Reply = (socket: Socket, head: string, n: number) => void

let server: Server | null = null
let driver: HttpDriver | null = null
afterEach(async () => {
  await driver?.close()
  driver = null
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  server = null
})

/** A server that reads each request (head + content-length body) and answers with `reply`. */
async function scripted(reply: Reply): Promise<{ url: string; seen: Seen }> {
  const seen: Seen = { heads: [], bodies: [], connections: 0 }
  const sockets = new Set<Socket>()
  server = createServer((socket) => {
    seen.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let buf = Buffer.alloc(0)
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end === -1) return
        const head = buf.subarray(0, end).toString('latin1')
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0)
        if (buf.length < end + 4 + length) return
        seen.heads.push(head)
        seen.bodies.push(buf.subarray(end + 4, end + 4 + length).toString())
        buf = buf.subarray(end + 4 + length)
        reply(socket, head, seen.heads.length)
      }
    })
  })
  const s = server
  s.on('close', () => { for (const c of sockets) c.destroy() })
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  return { url: `http://127.0.0.1:${port}`, seen }
}

function client(timeoutMs?: number) {
  const registry = new MetricsRegistry()
  driver = new HttpDriver({ sink: registry, ...(timeoutMs ? { timeoutMs } : {}) })
  const state: VuState = { id: 1, scenario: 'default', iteration: 0, lagMs: null, signal: new AbortController().signal }
  const d = driver
  const result = () => { d.flushBytes(); return new PerfResult({ version: 1, name: 't', startTime: 0, durationMs: 1000, metrics: registry.snapshot(), thresholds: [] }) }
  return { http: driver.forVu(state), result }
}

/** Writes `parts` one by one, each in its own TCP segment (setImmediate between writes). */
function inPieces(socket: Socket, parts: (string | Buffer)[], then?: () => void): void {
  const [first, ...rest] = parts
  if (first === undefined) { then?.(); return }
  socket.write(first)
  setTimeout(() => inPieces(socket, rest, then), 2)
}

describe('own HTTP/1.1 connection', () => {
  test('keeps one connection for sequential requests and sends a well-formed request', async () => {
    const { url, seen } = await scripted((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
    const { http, result } = client()
    for (let i = 0; i < 20; i++) expect((await http.get(`${url}/items?i=${i}`)).body).toBe('ok')
    const post = await http.post(`${url}/items`, { json: { name: 'é' }, headers: { 'x-trace': 'abc' } })
    expect(post.status).toBe(200)
    expect(seen.connections).toBe(1)
    expect(seen.heads[0]).toMatch(/^GET \/items\?i=0 HTTP\/1\.1\r\n/)
    expect(seen.heads[0]).toContain(`host: ${url.slice(7)}`)
    expect(seen.heads[20]).toMatch(/^POST \/items HTTP\/1\.1\r\n/)
    expect(seen.heads[20]).toContain('content-type: application/json')
    expect(seen.heads[20]).toContain('x-trace: abc')
    expect(seen.heads[20]).toContain(`content-length: ${Buffer.byteLength('{"name":"é"}')}`)
    expect(seen.bodies[20]).toBe('{"name":"é"}')
    const r = result()
    expect(r.counter('http_reqs')?.count).toBe(21)
    expect(r.trend('http_req_connecting')?.count).toBe(1)
  })

  test('a repeated request reuses its head only while nothing in it changed, a headers object changed in place included', async () => {
    const { url, seen } = await scripted((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
    const { http } = client()
    const headers: Record<string, string> = { authorization: 'Bearer one' }
    await http.get(`${url}/a`, { headers })
    await http.get(`${url}/a`, { headers })
    headers.authorization = 'Bearer two'
    await http.get(`${url}/a`, { headers })
    headers['x-extra'] = '1'
    await http.get(`${url}/a`, { headers })
    await http.get(`${url}/a`)
    await http.post(`${url}/a`, { body: 'xy' })
    await http.post(`${url}/a`, { body: 'xyz' })
    await http.get(`${url}/b`)
    expect(seen.heads.map((h) => [h.split('\r\n')[0], /authorization: (.*)/.exec(h)?.[1] ?? '-', /x-extra: (.*)/.exec(h)?.[1] ?? '-', /content-length: (.*)/.exec(h)?.[1] ?? '-'])).toEqual([
      ['GET /a HTTP/1.1', 'Bearer one', '-', '-'],
      ['GET /a HTTP/1.1', 'Bearer one', '-', '-'],
      ['GET /a HTTP/1.1', 'Bearer two', '-', '-'],
      ['GET /a HTTP/1.1', 'Bearer two', '1', '-'],
      ['GET /a HTTP/1.1', '-', '-', '-'],
      ['POST /a HTTP/1.1', '-', '-', '2'],
      ['POST /a HTTP/1.1', '-', '-', '3'],
      ['GET /b HTTP/1.1', '-', '-', '-'],
    ])
    expect(seen.bodies.slice(5, 7)).toEqual(['xy', 'xyz'])
  })

  test('bodies larger than one read arrive intact while other connections read into the same buffer', async () => {
    const body = (i: number) => Buffer.alloc(150_000 + i * 7_919, String.fromCharCode(97 + i))
    const { url } = await scripted((socket, head) => {
      const i = Number(/^GET \/(\d+)/.exec(head)?.[1])
      const b = body(i)
      if (i % 2 === 0) { socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\n\r\n`); socket.write(b); return }
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')
      for (let at = 0; at < b.length; at += 40_000) { const part = b.subarray(at, at + 40_000); socket.write(`${part.length.toString(16)}\r\n`); socket.write(part); socket.write('\r\n') }
      socket.write('0\r\n\r\n')
    })
    const registry = new MetricsRegistry()
    driver = new HttpDriver({ sink: registry })
    const d = driver
    const vus = Array.from({ length: 6 }, (_, id) => d.forVu({ id, scenario: 'default', iteration: 0, lagMs: null, signal: new AbortController().signal }))
    const rounds = await Promise.all(vus.map(async (http, i) => {
      const bodies: Uint8Array[] = []
      for (let r = 0; r < 3; r++) bodies.push((await http.get(`${url}/${i}`)).bodyBytes as Uint8Array)
      return bodies
    }))
    rounds.forEach((bodies, i) => { for (const b of bodies) expect(Buffer.from(b).equals(body(i)), `VU ${i}`).toBe(true) })
  })

  test('chunked bodies split anywhere, with extensions and trailers, arrive whole', async () => {
    const body = 'The quick brown fox jumps over the lazy dog. '.repeat(40)
    const a = body.slice(0, 700)
    const b = body.slice(700)
    const wire = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n${a.length.toString(16)};ext=1\r\n${a}\r\n${b.length.toString(16).toUpperCase()}\r\n${b}\r\n0\r\nX-Trailer: t\r\n\r\n`
    // Cut the wire at awkward places: inside the head, a size line, the CRLF after data, the trailers.
    const cuts = [10, 52, 53, 60, 400, 757, 758, 759, 1500, wire.length - 5, wire.length - 1]
    const pieces: string[] = []
    let from = 0
    for (const c of cuts) { pieces.push(wire.slice(from, c)); from = c }
    pieces.push(wire.slice(from))
    const { url, seen } = await scripted((s) => inPieces(s, pieces))
    const { http } = client()
    const r1 = await http.get(`${url}/a`)
    expect(r1.status).toBe(200)
    expect(r1.body).toBe(body)
    expect(r1.headers['x-a']).toBe('1')
    // The connection is still usable afterwards: the whole message was consumed.
    expect((await http.get(`${url}/b`)).body).toBe(body)
    expect(seen.connections).toBe(1)
  })

  test('no body for HEAD, 204 and 304; interim 100 responses are skipped', async () => {
    const { url } = await scripted((s, head) => {
      if (head.startsWith('HEAD')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n')
      else if (head.includes('/204')) s.write('HTTP/1.1 204 No Content\r\n\r\n')
      else if (head.includes('/304')) s.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n')
      else inPieces(s, ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone'])
    })
    const { http } = client()
    const head = await http.head(`${url}/x`)
    expect(head.status).toBe(200)
    expect((await http.get(`${url}/204`)).status).toBe(204)
    expect((await http.get(`${url}/304`)).status).toBe(304)
    const created = await http.post(`${url}/items`, { body: 'x' })
    expect(created.status).toBe(201)
    expect(created.body).toBe('done')
    expect((await http.get(`${url}/204`)).status).toBe(204)
  })

  test('connection: close and bodies delimited by the end of the connection; the next request reconnects', async () => {
    const { url, seen } = await scripted((s, head) => {
      if (head.includes('/close')) { s.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye'); s.end() }
      else inPieces(s, ['HTTP/1.0 200 OK\r\n\r\n', 'until ', 'the end'], () => s.end())
    })
    const { http, result } = client()
    expect((await http.get(`${url}/close`)).body).toBe('bye')
    const untilClose = await http.get(`${url}/eof`)
    expect(untilClose).toMatchObject({ status: 200, ok: true })
    expect(untilClose.body).toBe('until the end')
    expect((await http.get(`${url}/close`)).body).toBe('bye')
    expect(seen.connections).toBe(3)
    expect(result().errors.total).toBe(0)
  })

  test('a keep-alive connection the server closed while idle is replaced, not reported as a failure', async () => {
    const { url, seen } = await scripted((s) => { s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'); setTimeout(() => s.destroy(), 20) })
    const { http, result } = client()
    for (let i = 0; i < 3; i++) {
      expect((await http.get(`${url}/`)).ok).toBe(true)
      await new Promise((r) => setTimeout(r, 80))
    }
    expect(seen.connections).toBe(3)
    expect(result().errors.total).toBe(0)
  })

  test('malformed responses are protocol errors; a response cut short is a reset; neither breaks the next request', async () => {
    const { url } = await scripted((s, head) => {
      if (head.includes('/garbage')) s.end('SMTP ready\r\n\r\n')
      else if (head.includes('/badchunk')) s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')
      else if (head.includes('/short')) s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this')
      else if (head.includes('/nocolon')) s.end('HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\nok')
      else if (head.includes('/noname')) s.end('HTTP/1.1 200 OK\r\n: 2\r\n\r\nok')
      else s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    })
    const { http, result } = client()
    expect((await http.get(`${url}/garbage`)).errorKind).toBe('protocol')
    expect((await http.get(`${url}/badchunk`)).errorKind).toBe('protocol')
    expect((await http.get(`${url}/short`)).errorKind).toBe('reset')
    expect((await http.get(`${url}/nocolon`)).errorKind).toBe('protocol')
    expect((await http.get(`${url}/noname`)).errorKind).toBe('protocol')
    expect((await http.get(`${url}/fine`)).body).toBe('ok')
    expect(result().errors.byKind).toEqual({ protocol: 4, reset: 1 })
  })

  test('a silent server times out waiting for headers, a stalled body times out in the body', async () => {
    const { url } = await scripted((s, head) => {
      if (head.includes('/stall')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf')
      else if (head.includes('/trickle')) inPieces(s, ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n', 'a', 'b', 'c'])
    })
    const { http } = client()
    const t0 = performance.now()
    const silent = await http.get(`${url}/silent`, { timeout: 150 })
    expect(silent).toMatchObject({ status: 0, errorKind: 'timeout' })
    expect(silent.error).toMatch(/HEADERS_TIMEOUT/)
    const stalled = await http.get(`${url}/stall`, { timeout: 150 })
    // As with undici: a failed exchange has status 0, whatever the head said.
    expect(stalled).toMatchObject({ status: 0, errorKind: 'timeout' })
    expect(stalled.error).toMatch(/BODY_TIMEOUT/)
    expect(performance.now() - t0).toBeLessThan(1500)
    // A body that trickles in well within the timeout completes (the deadline covers the whole exchange: http-timeout.test.ts).
    expect((await http.get(`${url}/trickle`, { timeout: 150 })).body).toBe('abc')
  })

  test('a header value with CR or LF is refused before anything is sent', async () => {
    const { url, seen } = await scripted((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))
    const { http } = client()
    const r = await http.get(`${url}/`, { headers: { 'x-evil': 'a\r\nx-injected: 1' } })
    expect(r.ok).toBe(false)
    expect(r.error).toMatch(/invalid x-evil header/)
    expect((await http.get(`${url}/`)).status).toBe(200)
    expect(seen.heads.join('\n')).not.toContain('x-injected')
  })
})
