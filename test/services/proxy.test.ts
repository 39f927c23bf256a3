/**
 * The fault proxy itself, against real loopback peers: bytes pass unchanged both ways, toxic specs
 * are checked, direction and toxicity choose what a toxic acts on, toxics added or removed while a
 * connection is open act on it at once, and down refuses connections (close(): proxy-close.test.ts).
 */
import { once } from 'node:events'
import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ClosedError, InvalidOptionError, UsageError, parseToxic, run, startFaultProxy, type FaultProxy } from '../../src/index.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'
import { pattern, readBytes, startClient, startUpstream, type Upstream } from './proxy-helpers.ts'

/** An upstream that echoes every byte back. */
const echo = (): Promise<Upstream> => startUpstream((s) => s.on('data', (d: Buffer) => s.write(d)))

describe('passing bytes', () => {
  test('bytes go both ways unchanged, half-closes pass on, and the stats count them', async () => {
    const upstream = await echo()
    const proxy = await startFaultProxy({ upstream: { port: upstream.port } })
    try {
      expect(proxy.host).toBe('127.0.0.1')
      expect(proxy.port).toBeGreaterThan(0)
      expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`)
      const body = pattern(300_000)
      const client = await startClient(proxy.port)
      client.socket.end(body)
      const got = await client.done
      expect(got.error).toBeUndefined()
      expect(got.data.equals(body)).toBe(true)
      expect(got.endAt).toBeDefined()
      const s = proxy.stats
      expect(s.accepted).toBe(1)
      expect(s.upstream).toEqual({ received: body.length, sent: body.length, dropped: 0 })
      expect(s.downstream).toEqual({ received: body.length, sent: body.length, dropped: 0 })
    } finally {
      await proxy.close()
      await upstream.close()
    }
  })

  test('a slow direction holds at most ~1 MiB: the proxy stops reading its source, then carries on', async () => {
    const body = pattern(4_000_000)
    const upstream = await startUpstream((s) => s.end(body))
    const proxy = await startFaultProxy({ upstream: { port: upstream.port } })
    try {
      proxy.addToxic({ type: 'bandwidth', rate: 4000 })
      const client = await startClient(proxy.port)
      let maxHeld = 0
      client.socket.on('data', () => {
        const d = proxy.stats.downstream
        maxHeld = Math.max(maxHeld, d.received - d.sent - d.dropped)
      })
      const got = await client.done
      expect(got.data.equals(body)).toBe(true)
      // The server wrote 4 MB at once; without backpressure the proxy would have read it all.
      expect(maxHeld).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024)
      expect(maxHeld).toBeGreaterThan(256 * 1024)
    } finally { await proxy.close(); await upstream.close() }
  })

  test('an upstream that refuses is a reset for the client, counted', async () => {
    const upstream = await startUpstream()
    const port = upstream.port
    await upstream.close()
    const proxy = await startFaultProxy({ upstream: { port } })
    try {
      const client = await startClient(proxy.port)
      const got = await client.done
      expect(got.error?.code).toBe('ECONNRESET')
      expect(proxy.stats.upstreamFailures).toBe(1)
    } finally { await proxy.close() }
  })
})

describe('toxic specs', () => {
  const invalid = (spec: unknown, path?: (string | number)[]): InvalidOptionError => {
    try { parseToxic(spec, path) } catch (e) { if (e instanceof InvalidOptionError) return e; throw e }
    throw new Error('parseToxic accepted the spec')
  }

  test('defaults are Toxiproxy\'s: downstream, toxicity 1, jitter 0, timeout 0', () => {
    expect(parseToxic({ type: 'latency', latency: 100 })).toEqual({ type: 'latency', latency: 100, jitter: 0, stream: 'downstream', toxicity: 1 })
    expect(parseToxic({ type: 'timeout' })).toEqual({ type: 'timeout', timeout: 0, stream: 'downstream', toxicity: 1 })
    expect(parseToxic({ type: 'slicer', averageSize: 10, stream: 'upstream', toxicity: 0.5 }))
      .toEqual({ type: 'slicer', averageSize: 10, sizeVariation: 0, delay: 0, stream: 'upstream', toxicity: 0.5 })
    expect(parseToxic({ type: 'down' })).toEqual({ type: 'down', name: undefined })
  })

  test('a bad value is named by its path in the user\'s options', () => {
    const e = invalid({ type: 'latency', latency: -5 }, ['faults', 0])
    expect(e.option).toBe('faults[0].latency')
    expect(e.message).toBe('Invalid toxic faults[0]:\n  - faults[0].latency: must be 0 or more ms; got -5')
  })

  test.each([
    [{ type: 'latency', latency: '100ms' }, 'toxic.latency', 'must be a number of milliseconds (added to each chunk); got "100ms"'],
    [{ type: 'latency' }, 'toxic.latency', 'is required: give a number of milliseconds (added to each chunk)'],
    [{ type: 'latency', latency: 3e9 }, 'toxic.latency', "must be at most 2147483647 ms (Node's longest timer); got 3000000000"],
    [{ type: 'latency', latency: 1, latncy: 2 }, 'toxic.latncy', 'unknown option; did you mean "latency"?'],
    [{ type: 'latency', latency: 1, rate: 2 }, 'toxic.rate', 'is an attribute of bandwidth, not of latency; latency takes stream, toxicity, name, latency, jitter'],
    [{ type: 'latency', latency: 1, toxicity: 1.5 }, 'toxic.toxicity', 'must be a probability from 0 to 1; got 1.5'],
    [{ type: 'latency', latency: 1, stream: 'up' }, 'toxic.stream', "must be 'upstream' (client → server) or 'downstream' (server → client); got \"up\""],
    [{ type: 'bandwidth', rate: 0 }, 'toxic.rate', 'must be a positive rate in KB/s; got 0 (to stop the data, use a timeout toxic)'],
    [{ type: 'slicer', averageSize: 10, sizeVariation: 10 }, 'toxic.sizeVariation', 'must be less than averageSize (10); got 10'],
    [{ type: 'slicer', averageSize: 0 }, 'toxic.averageSize', 'must be 1 or more bytes per slice; got 0'],
    [{ type: 'slicer', average_size: 10 }, 'toxic.average_size', 'unknown option; did you mean "averageSize"?'],
    [{ type: 'limit_data', bytes: 1.5 }, 'toxic.bytes', 'must be a whole number of bytes; got 1.5'],
    [{ type: 'down', stream: 'upstream' }, 'toxic.stream', 'down acts on the whole proxy (it stops listening), so stream does not apply; remove it'],
    [{ type: 'blackhole' }, 'toxic.type', 'must be one of latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, down; got "blackhole"'],
    [{ latency: 100 }, 'toxic.type', 'is required: give one of latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, down'],
    ['latency', 'toxic', 'must be a toxic like { type: \'latency\', latency: 100 }; got "latency"'],
  ])('%j → %s: %s', (spec, path, message) => {
    const e = invalid(spec)
    expect(e.option).toBe(path)
    expect(e.message).toContain(`\n  - ${path}: ${message}`)
  })

  test('every problem of a spec is in the one error, misspelt keys first', () => {
    const e = invalid({ type: 'reset_peer', timeout: -1, toxicty: 0.5 })
    expect(e.message).toBe('Invalid toxic toxic:\n  - toxic.toxicty: unknown option; did you mean "toxicity"?\n  - toxic.timeout: must be 0 or more ms; got -1')
  })

  test('startFaultProxy checks its own options', async () => {
    await expect(startFaultProxy({ upstream: { port: 0 } })).rejects.toThrow(/upstream\.port: must be from 1 to 65535/)
    await expect(startFaultProxy({ upstream: { port: 80 }, listen: { prt: 1 } } as never)).rejects.toBeInstanceOf(InvalidOptionError)
  })

  test('ids: <type>_<stream> by default, numbered when taken; names are unique; unknown ids and a closed proxy are errors', async () => {
    const upstream = await echo()
    const proxy = await startFaultProxy({ upstream: { port: upstream.port } })
    try {
      expect(proxy.addToxic({ type: 'latency', latency: 1 })).toBe('latency_downstream')
      expect(proxy.addToxic({ type: 'latency', latency: 1 })).toBe('latency_downstream_2')
      expect(proxy.addToxic({ type: 'latency', latency: 1, stream: 'upstream' })).toBe('latency_upstream')
      expect(proxy.addToxic({ type: 'bandwidth', rate: 1, name: 'slow' })).toBe('slow')
      expect(() => proxy.addToxic({ type: 'bandwidth', rate: 2, name: 'slow' })).toThrow(UsageError)
      expect(proxy.stats.toxics).toEqual(['latency_downstream', 'latency_downstream_2', 'latency_upstream', 'slow'])
      await proxy.removeToxic('latency_downstream_2')
      await expect(proxy.removeToxic('latency_downstream_2')).rejects.toThrow(/no toxic "latency_downstream_2" on this proxy; its toxics are "latency_downstream", "latency_upstream", "slow"/)
      expect(() => proxy.addToxic({ type: 'latency', latency: -1 })).toThrow(InvalidOptionError)
    } finally { await proxy.close(); await upstream.close() }
    expect(() => proxy.addToxic({ type: 'latency', latency: 1 })).toThrow(ClosedError)
    await expect(proxy.up()).rejects.toBeInstanceOf(ClosedError)
  })
})

describe('direction and toxicity', () => {
  /** An upstream that waits for 10 bytes, then answers 11 (and records what it got and whether it saw the end). */
  let upstream: Upstream
  const got = new Map<Socket, { data: Buffer; ended: boolean }>()
  beforeAll(async () => {
    upstream = await startUpstream((s) => {
      const rec = { data: Buffer.alloc(0), ended: false }
      got.set(s, rec)
      s.on('data', (d: Buffer) => { rec.data = Buffer.concat([rec.data, d]); if (rec.data.length === 10) s.write('hello world') })
      s.on('end', () => { rec.ended = true })
    })
  })
  afterAll(() => upstream.close())

  const exchange = async (proxy: FaultProxy, n: number) => {
    const client = await startClient(proxy.port)
    client.socket.write('0123456789')
    const server = await upstream.accepted(n)
    return { client, server }
  }

  test('downstream (the default) acts on what the server sends; upstream on what the client sends', async () => {
    const proxy = await startFaultProxy({ upstream: { port: upstream.port } })
    try {
      proxy.addToxic({ type: 'limit_data', bytes: 5 })
      const down = await exchange(proxy, upstream.sockets.length + 1)
      const d = await down.client.done
      expect(d.data.toString()).toBe('hello')
      expect(got.get(down.server)?.data.toString()).toBe('0123456789')
      await proxy.removeToxic('limit_data_downstream')

      proxy.addToxic({ type: 'limit_data', bytes: 5, stream: 'upstream' })
      const up = await exchange(proxy, upstream.sockets.length + 1)
      const u = await up.client.done
      await once(up.server, 'close')
      expect(got.get(up.server)).toEqual({ data: Buffer.from('01234'), ended: true })
      expect(u.data.length).toBe(0)
    } finally { await proxy.close() }
  })

  test('toxicity is a probability per connection: 0 never, 1 always, 0.5 about half', async () => {
    const proxy = await startFaultProxy({ upstream: { port: upstream.port } })
    /** How many of n connections drew the limit (they receive 2 bytes and close; the others all 11). */
    const limited = async (n: number) => {
      const outcomes = await Promise.all(Array.from({ length: n }, async () => {
        const client = await startClient(proxy.port)
        client.socket.write('0123456789')
        const first = await Promise.race([client.done.then((r) => r.data.toString()), client.bytes(11).then((b) => b.toString())])
        client.socket.destroy()
        return first
      }))
      for (const o of outcomes) expect(['he', 'hello world']).toContain(o)
      return outcomes.filter((o) => o === 'he').length
    }
    try {
      let id = proxy.addToxic({ type: 'limit_data', bytes: 2, toxicity: 0 })
      expect(await limited(20)).toBe(0)
      await proxy.removeToxic(id)
      id = proxy.addToxic({ type: 'limit_data', bytes: 2, toxicity: 1 })
      expect(await limited(20)).toBe(20)
      await proxy.removeToxic(id)
      proxy.addToxic({ type: 'limit_data', bytes: 2, toxicity: 0.5 })
      // Binomial(100, 0.5): 25…75 is ± 5 standard deviations.
      const n = await limited(100)
      expect(n).toBeGreaterThanOrEqual(25)
      expect(n).toBeLessThanOrEqual(75)
    } finally { await proxy.close() }
  })
})

describe('toxics on open connections', () => {
  test('a toxic added to an open connection acts on it; removing it releases what it held at once', async () => {
    const upstream = await echo()
    const proxy = await startFaultProxy({ upstream: { port: upstream.port } })
    try {
      const client = await startClient(proxy.port)
      client.socket.write('one')
      expect((await readBytes(client.socket, 3)).toString()).toBe('one')

      const id = proxy.addToxic({ type: 'latency', latency: 60_000 })
      const held = readBytes(client.socket, 3)
      client.socket.write('two')
      // The echo comes back to the proxy (upstream is not delayed) and waits there.
      while (proxy.stats.downstream.received < 6) await new Promise((r) => setImmediate(r))
      expect(proxy.stats.downstream.sent).toBe(3)
      const removedAt = performance.now()
      await proxy.removeToxic(id)
      expect((await held).toString()).toBe('two')
      expect(performance.now() - removedAt).toBeLessThan(10_000)

      client.socket.write('three')
      expect((await readBytes(client.socket, 5)).toString()).toBe('three')
      client.socket.destroy()
    } finally { await proxy.close(); await upstream.close() }
  })
})

describe('down', () => {
  let server: TestServer
  beforeAll(async () => { server = await startServer((_req, res) => res.end('ok')) })
  afterAll(() => server.close())
  const load = (url: string) => run({ executor: 'per-vu-iterations', vus: 2, iterations: 5, data: { url },
    fn: async ({ http, data }) => { await http.get(`${(data as { url: string }).url}/`) } })

  test('down() refuses connections (counted as refused) and closes open ones; up() listens on the same port again', async () => {
    const proxy = await startFaultProxy({ upstream: { port: Number(new URL(server.url).port) } })
    try {
      const port = proxy.port
      expect((await load(proxy.url)).errors.byKind).toEqual({})
      const open = await startClient(port)
      await proxy.down()
      expect(proxy.stats).toMatchObject({ listening: false, open: 0 })
      await open.done
      const refused = await load(proxy.url)
      expect(refused.errors.byKind).toEqual({ refused: 10 })
      await proxy.up()
      expect(proxy.port).toBe(port)
      expect((await load(proxy.url)).errors.byKind).toEqual({})
    } finally { await proxy.close() }
  })

  test('a down toxic does the same until it is removed', async () => {
    const proxy = await startFaultProxy({ upstream: { port: Number(new URL(server.url).port) } })
    try {
      const id = proxy.addToxic({ type: 'down' })
      expect(id).toBe('down')
      expect((await load(proxy.url)).errors.byKind).toEqual({ refused: 10 })
      await proxy.removeToxic(id)
      expect((await load(proxy.url)).errors.byKind).toEqual({})
    } finally { await proxy.close() }
  })
})
