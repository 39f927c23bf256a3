/** The gRPC driver against a real local grpc-js server: every call type, deadlines, metadata, failures by kind, cleanup. */
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { run } from '../../src/index.ts'

const proto = fileURLToPath(new URL('../fixtures/grpc/echo.proto', import.meta.url))
let server: grpc.Server
let address = ''
const seenAuth: string[] = []
let openChats = 0
let openWatches = 0

type Msg = { text: string; n: number }
beforeAll(async () => {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(proto, { keepCase: true, defaults: true })) as unknown as { echo: { Echo: { service: grpc.ServiceDefinition } } }
  server = new grpc.Server()
  server.addService(pkg.echo.Echo.service, {
    Say: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      seenAuth.push(String(call.metadata.get('authorization')[0] ?? ''))
      cb(null, { text: `echo ${call.request.text}`, n: call.request.n + 1 })
    },
    Slow: (_call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => { setTimeout(() => cb(null, { text: 'late', n: 0 }), 500) },
    Count: (call: grpc.ServerWritableStream<{ upto: number }, Msg>) => {
      for (let i = 1; i <= call.request.upto; i++) call.write({ text: 'n', n: i })
      call.end()
    },
    Broken: (call: grpc.ServerWritableStream<{ upto: number }, Msg>) => {
      call.write({ text: 'a', n: 1 })
      call.write({ text: 'b', n: 2 })
      setTimeout(() => call.emit('error', { code: grpc.status.INTERNAL, details: 'server stopped mid-stream' }), 20)
    },
    Watch: (call: grpc.ServerWritableStream<{ upto: number }, Msg>) => {
      openWatches++
      let n = 0
      const tick = setInterval(() => call.write({ text: 'tick', n: ++n }), 20)
      const stop = () => { if (tick.hasRef()) { clearInterval(tick); tick.unref(); openWatches-- } }
      call.on('cancelled', stop)
      call.on('close', stop)
    },
    Sum: (call: grpc.ServerReadableStream<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      let sum = 0
      call.on('data', (m: Msg) => { sum += m.n })
      call.on('end', () => cb(null, { text: 'sum', n: sum }))
    },
    Chat: (call: grpc.ServerDuplexStream<Msg, Msg>) => {
      openChats++
      let open = true
      const closed = () => { if (open) { open = false; openChats-- } }
      call.on('cancelled', closed)
      call.on('finish', closed)
      call.on('close', closed)
      call.on('data', (m: Msg) => call.write({ text: `re: ${m.text}`, n: m.n }))
      call.on('end', () => call.end())
    },
  })
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))))
  address = `127.0.0.1:${port}`
})
afterAll(() => new Promise<void>((r) => server.tryShutdown(() => r())))

describe('gRPC driver', () => {
  test('unary, server-, client- and bidi streams work and are counted by method and status; metadata is sent', async () => {
    seenAuth.length = 0
    const result = await run({ vus: 2, iterations: 6, data: { address, proto }, fn: async ({ grpc: g, data, check }) => {
      const d = data as { address: string; proto: string }
      const echo = g.client(d.proto, { address: d.address, service: 'echo.Echo', metadata: { authorization: 'Bearer t0k' } })
      const r = await echo.unary<Msg>('Say', { text: 'hi', n: 1 })
      check(r, { 'unary ok': (x) => x.ok && x.message?.text === 'echo hi' && x.message.n === 2 })
      const count = echo.serverStream<Msg>('Count', { upto: 3 })
      const got: number[] = []
      for (let m = await count.next(); m; m = await count.next()) got.push(m.n)
      check(got, { 'stream in order': (x) => x.join() === '1,2,3' })
      const sum = echo.clientStream<Msg>('Sum')
      for (const n of [1, 2, 3]) sum.write({ text: 'x', n })
      check(await sum.end(), { 'client stream summed': (x) => x.ok && x.message?.n === 6 })
      const chat = echo.bidi<Msg>('Chat')
      chat.write({ text: 'ping', n: 7 })
      const reply = await chat.next((m) => m.n === 7)
      check(reply, { 'bidi replied': (x) => x?.text === 're: ping' })
      await chat.end()
      echo.close()
    } })
    expect(result.rate('checks')).toMatchObject({ passes: 24, fails: 0 })
    expect(result.counter('grpc_reqs', { name: 'echo.Echo/Say', status: 'OK' })?.count).toBe(6)
    expect(result.counter('grpc_reqs')?.count).toBe(24)
    expect(result.counter('grpc_streams_msgs_received', { name: 'echo.Echo/Count' })?.count).toBe(18)
    expect(result.counter('grpc_streams_msgs_sent', { name: 'echo.Echo/Sum' })?.count).toBe(18)
    // server and bidi streams are sessions: counted when opened and timed apart from call latency
    expect(result.counter('grpc_streams', { name: 'echo.Echo/Count' })?.count).toBe(6)
    expect(result.counter('grpc_streams', { name: 'echo.Echo/Chat' })?.count).toBe(6)
    expect(result.counter('grpc_streams', { name: 'echo.Echo/Sum' })).toBeUndefined()
    expect(result.trend('grpc_stream_duration', { name: 'echo.Echo/Chat', status: 'OK' })?.count).toBe(6)
    expect(result.trend('grpc_req_duration', { name: 'echo.Echo/Count' })).toBeUndefined()
    expect(result.trend('grpc_req_duration', { name: 'echo.Echo/Sum', status: 'OK' })?.count).toBe(6)
    expect(result.latencyMetric).toBe('grpc_req_duration')
    expect(result.errorRate).toBe(0)
    expect(seenAuth).toEqual(Array(6).fill('Bearer t0k'))
  })

  test('an unimplemented method, an expired deadline and a server that stops mid-stream are counted by kind', async () => {
    const t0 = performance.now()
    const result = await run({ iterations: 1, data: { address, proto }, fn: async ({ grpc: g, data }) => {
      const d = data as { address: string; proto: string }
      const echo = g.client(d.proto, { address: d.address, service: 'echo.Echo' })
      expect((await echo.unary('Missing', { text: 'x' })).status).toBe('UNIMPLEMENTED')
      expect((await echo.unary('Slow', { text: 'x' }, { deadlineMs: 100 })).status).toBe('DEADLINE_EXCEEDED')
      const broken = echo.serverStream<Msg>('Broken', { upto: 5 })
      expect((await broken.next())?.n).toBe(1)
      expect((await broken.next())?.n).toBe(2)
      expect(await broken.next()).toBeNull()
      expect((await broken.done).status).toBe('INTERNAL')
      echo.close()
    } })
    expect(performance.now() - t0).toBeLessThan(3000)
    expect(result.errors.byKind).toMatchObject({ '4xx': 1, timeout: 1, '5xx': 1 })
    expect(result.errors.byStatus).toMatchObject({ UNIMPLEMENTED: 1, DEADLINE_EXCEEDED: 1, INTERNAL: 1 })
    expect(result.errorRate).toBe(1)
  })

  test('a closed client refuses new calls at once, while other clients to the same address keep working', async () => {
    const seen: { unary?: string; bidi?: string; other?: boolean } = {}
    const result = await run({ iterations: 1, data: { address, proto }, fn: async ({ grpc: g, data }) => {
      const d = data as { address: string; proto: string }
      const a = g.client(d.proto, { address: d.address, service: 'echo.Echo' })
      const b = g.client(d.proto, { address: d.address, service: 'echo.Echo' })
      expect((await a.unary('Say', { text: 'x', n: 1 })).ok).toBe(true)
      a.close()
      seen.unary = await a.unary('Say', { text: 'x', n: 1 }).then(() => 'resolved', (e: Error) => e.message)
      try { a.bidi('Chat'); seen.bidi = 'opened' } catch (e) { seen.bidi = (e as Error).message }
      seen.other = (await b.unary('Say', { text: 'y', n: 1 })).ok
    } })
    expect(seen.unary).toMatch(/this client is closed/)
    expect(seen.bidi).toMatch(/this client is closed/)
    expect(seen.other).toBe(true)
    expect(result.counter('grpc_reqs', { status: 'OK' })?.count).toBe(2)
    expect(result.errorRate).toBe(0)
  })

  test('a server that is not there is UNAVAILABLE, counted as refused', async () => {
    const result = await run({ iterations: 1, data: { proto }, fn: async ({ grpc: g, data }) => {
      const echo = g.client((data as { proto: string }).proto, { address: '127.0.0.1:1', service: 'echo.Echo', deadlineMs: 1000 })
      const r = await echo.unary('Say', { text: 'x' })
      expect(r.ok).toBe(false)
    } })
    expect(result.errors.total).toBe(1)
    expect(Object.keys(result.errors.byKind)).toEqual([expect.stringMatching(/refused|timeout/)])
  })

  test('calls and streams left open by VUs are closed when the run ends, without counting as failures', async () => {
    const result = await run({ vus: 3, iterations: 3, data: { address, proto }, fn: async ({ grpc: g, data }) => {
      const d = data as { address: string; proto: string }
      const chat = g.client(d.proto, { address: d.address, service: 'echo.Echo' }).bidi<Msg>('Chat')
      chat.write({ text: 'left open', n: 1 })
      await chat.next()
    } })
    for (let i = 0; i < 50 && openChats > 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(openChats).toBe(0)
    expect(result.errors.total).toBe(0)
  })

  test('a method that is not in the .proto is a clear error', async () => {
    const result = await run({ iterations: 1, data: { address, proto }, fn: async ({ grpc: g, data }) => {
      const d = data as { address: string; proto: string }
      g.client(d.proto, { address: d.address, service: 'echo.Echo' }).unary('Nope', {})
    } })
    expect(result.errors.samples[0]?.message).toMatch(/echo.Echo has no method "Nope" in its .proto/)
  })
})

describe('gRPC streams a VU holds open', () => {
  interface D { address: string; proto: string }

  test('a server stream held for the whole run outlives the client deadline, and the run ending it is not a failed request', async () => {
    const result = await run({ vus: 2, duration: '1s', data: { address, proto }, fn: async ({ grpc: g, data, state, sleep }) => {
      if (!state['watch']) {
        const d = data as D
        // 200 ms is the client's deadline for calls that wait for one response; the stream has none.
        const watch = g.client(d.proto, { address: d.address, service: 'echo.Echo', deadlineMs: 200 }).serverStream<Msg>('Watch', { upto: 0 })
        state['watch'] = watch
        void (async () => { while (await watch.next(undefined, 60_000)); })()
      }
      await sleep(0.05)
    } })
    for (let i = 0; i < 50 && openWatches > 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(openWatches).toBe(0)
    const name = 'echo.Echo/Watch'
    expect(result.counter('grpc_streams', { name })?.count).toBe(2)
    // counted once each, when the run's end cancelled them, and not as failures
    expect(result.counter('grpc_reqs', { name })?.count).toBe(2)
    expect(result.counter('grpc_reqs', { name, status: 'CANCELLED' })?.count).toBe(2)
    expect(result.rate('grpc_req_failed')).toMatchObject({ passes: 0, fails: 2 })
    expect(result.errors.total).toBe(0)
    // their length is a session's, far beyond the 200 ms deadline, and kept out of call latency
    const held = result.trend('grpc_stream_duration', { name, status: 'CANCELLED' })
    expect(held?.count).toBe(2)
    expect(held?.min).toBeGreaterThan(500)
    expect(result.trend('grpc_req_duration', { name })).toBeUndefined()
    expect(result.counter('grpc_streams_msgs_received', { name })?.count).toBeGreaterThan(0)
  })

  test("a stream's own deadline and the VU's cancel end it without failing it; the server ending it with an error fails it", async () => {
    const out: Record<string, GrpcResponseLike> = {}
    const result = await run({ iterations: 1, data: { address, proto }, fn: async ({ grpc: g, data }) => {
      const d = data as D
      const echo = g.client(d.proto, { address: d.address, service: 'echo.Echo' })
      out['timed'] = await echo.serverStream<Msg>('Watch', { upto: 0 }, { deadlineMs: 150 }).done
      const cancelled = echo.serverStream<Msg>('Watch', { upto: 0 })
      out['first'] = { ok: (await cancelled.next()) !== null, status: '', duration: 0, error: null }
      cancelled.cancel()
      out['cancelled'] = await cancelled.done
      out['broken'] = await echo.serverStream<Msg>('Broken', { upto: 5 }).done
      echo.close()
    } })
    expect(out['timed']).toMatchObject({ ok: true, status: 'DEADLINE_EXCEEDED', error: null })
    expect(out['timed']?.duration).toBeGreaterThanOrEqual(140)
    expect(out['first']?.ok).toBe(true)
    expect(out['cancelled']).toMatchObject({ ok: true, status: 'CANCELLED', error: null })
    expect(out['broken']).toMatchObject({ ok: false, status: 'INTERNAL', error: 'server stopped mid-stream' })
    expect(result.counter('grpc_reqs', { name: 'echo.Echo/Watch' })?.count).toBe(2)
    expect(result.trend('grpc_stream_duration', { name: 'echo.Echo/Watch', status: 'DEADLINE_EXCEEDED' })?.count).toBe(1)
    expect(result.rate('grpc_req_failed')).toMatchObject({ passes: 1, fails: 2 })
    expect(result.errors.byStatus).toEqual({ INTERNAL: 1 })
  })

  test('a unary call cut off by closing its client is not recorded', async () => {
    const out: Record<string, GrpcResponseLike> = {}
    const result = await run({ iterations: 1, data: { address, proto }, fn: async ({ grpc: g, data }) => {
      const d = data as D
      const echo = g.client(d.proto, { address: d.address, service: 'echo.Echo' })
      const slow = echo.unary<Msg>('Slow', { text: 'x', n: 1 })
      echo.close()
      out['slow'] = await slow
    } })
    expect(out['slow']).toMatchObject({ ok: false, status: 'CANCELLED' })
    expect(result.counter('grpc_reqs')).toBeUndefined()
    expect(result.errors.total).toBe(0)
  })
})

interface GrpcResponseLike { ok: boolean; status: string; duration: number; error: string | null }
