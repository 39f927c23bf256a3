/**
 * close() leaves nothing behind: every socket and timer the proxy made is gone, even with toxics
 * holding data and timers on open connections. Its own file, so the process's handles before the
 * proxy started are this test's alone.
 */
import { once } from 'node:events'
import { describe, expect, test } from 'vitest'
import { startFaultProxy } from '../../src/index.ts'
import { resources, startClient, startUpstream } from './proxy-helpers.ts'

describe('close', () => {
  test('releases every socket and timer, with toxics holding data, and is safe to call twice', async () => {
    const upstream = await startUpstream((s) => s.on('data', (d: Buffer) => s.write(d)))
    const before = resources()
    const proxy = await startFaultProxy({ upstream: { port: upstream.port } })
    proxy.addToxic({ type: 'latency', latency: 60_000 })
    proxy.addToxic({ type: 'slow_close', delay: 60_000, stream: 'upstream' })
    proxy.addToxic({ type: 'timeout', timeout: 60_000, stream: 'upstream', toxicity: 0.5 })
    proxy.addToxic({ type: 'reset_peer', timeout: 60_000, toxicity: 0.5 })
    const clients = await Promise.all(Array.from({ length: 6 }, () => startClient(proxy.port)))
    for (const c of clients) c.socket.end('held')
    await upstream.accepted(6)
    // Every connection holds something now: a latency timer, a slow close, a timeout or reset timer.
    while (proxy.stats.upstream.received < 6 * 4) await new Promise((r) => setImmediate(r))
    expect(proxy.stats.open).toBe(6)
    expect(resources()['Timeout'] ?? 0).toBeGreaterThan(before['Timeout'] ?? 0)

    await Promise.all([proxy.close(), proxy.close()])
    await proxy.close()
    for (const c of clients) await c.done
    await Promise.all(upstream.sockets.map((s) => (s.closed ? undefined : once(s, 'close'))))
    // The test's own sockets: their handles are released one loop turn after their 'close' event.
    await new Promise((resolve) => setImmediate(resolve))
    expect(resources()).toEqual(before)
    expect(proxy.stats.open).toBe(0)
    await upstream.close()
  })
})
