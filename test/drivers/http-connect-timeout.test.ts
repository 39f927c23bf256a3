/**
 * The request timeout while the connection is not yet made. A loopback connect never hangs by
 * itself, so the target is a listener that never accepts (python3: `listen(0)`, no accept()) with
 * its accept queue filled first: Linux then drops further SYNs and the client's connect waits for
 * a retransmission. Our own HTTP/1.1 connection must end that request at its deadline, as a
 * counted `timeout` in the connect stage, and leave no socket open.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { HttpDriver } from '../../src/drivers/http.ts'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { PerfResult } from '../../src/metrics/result.ts'
import type { VuState } from '../../src/core/vu-state.ts'

const TIMEOUT_MS = 300
const python = spawnSync('python3', ['-c', 'print(1)']).status === 0
const skipWhy = process.platform !== 'linux' ? 'needs Linux (SYNs to a full accept queue are dropped)' : python ? null : 'python3 is missing: it holds the listener that never accepts'
if (skipWhy) console.warn(`http-connect-timeout: skipped: ${skipWhy}`)

// Binds, listens with the smallest backlog, prints its port, and never accepts (until stdin closes).
const LISTENER = 'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()\n'

describe.skipIf(skipWhy !== null)('request timeout in the connect stage', () => {
  let listener: ChildProcess
  let port = 0
  const fillers: Socket[] = []

  beforeAll(async () => {
    listener = spawn('python3', ['-c', LISTENER], { stdio: ['pipe', 'pipe', 'inherit'] })
    port = await new Promise<number>((resolve) => listener.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))))
    // Fill the accept queue (backlog 0 holds one): this connection completes its handshake into the
    // queue, an observed event, so the next SYN finds the queue full.
    const s = connect(port, '127.0.0.1')
    s.on('error', () => {})
    fillers.push(s)
    await new Promise<void>((r) => s.once('connect', () => r()))
  })
  afterAll(() => {
    for (const s of fillers) s.destroy()
    listener.stdin?.end()
    listener.kill()
  })

  test('our own connection ends the request at its deadline as a counted connect-stage timeout', async () => {
    const registry = new MetricsRegistry()
    const driver = new HttpDriver({ sink: registry })
    const state: VuState = { id: 1, scenario: 'default', iteration: 0, lagMs: null, signal: new AbortController().signal }
    const t0 = performance.now()
    const res = await driver.forVu(state).get(`http://127.0.0.1:${port}/`, { timeout: TIMEOUT_MS })
    const ms = performance.now() - t0
    expect(res).toMatchObject({ status: 0, errorKind: 'timeout' })
    expect(res.error).toMatch(/UND_ERR_CONNECT_TIMEOUT: Connect Timeout Error \(no connection within the request timeout of 300 ms\)/)
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS)
    // The SYN is retransmitted after 1 s, then 3 s: ended by our deadline, not by a late connect.
    expect(ms).toBeLessThan(30_000)
    await driver.close()
    driver.flushBytes()
    const r = new PerfResult({ version: 1, name: 't', startTime: 0, durationMs: 1000, metrics: registry.snapshot(), thresholds: [] })
    expect(r.counter('http_reqs')?.count).toBe(1)
    expect(r.errors.byKind).toEqual({ timeout: 1 })
    // No duration sample for a request that never got a response.
    expect(r.trend('http_req_duration')?.count ?? 0).toBe(0)
  })
})
