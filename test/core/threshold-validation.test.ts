/**
 * Thresholds that cannot be read on their metric fail the run, at the earliest moment they can be
 * known: before any load for built-in metrics, when a VU creates a custom metric (the load stops at
 * once, on the test's thread and across workers), and after the load for a metric nobody created.
 * The pooled scenario is defined at top level because workers load this very file to find it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { run, InvalidThresholdError, type PerfResult } from '../../src/index.ts'
import { scenario } from '../../src/plugin/vitest/index.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'

interface Data { url: string }

/** Planned for a minute; only the mismatch can end it early. VU 1 creates the bad metric on its 3rd iteration. */
const pooledMismatch = scenario<Data>('thresholds: custom metric type mismatch in a worker', {
  executor: 'constant-vus', vus: 2, duration: '60s', gracefulStop: '30s', thresholds: { my_latency: ['p(95)<100'] },
}, async ({ http, data, vu, metrics, sleep }) => {
  await http.get(`${data.url}/pool`)
  if (vu.id === 1 && vu.iteration === 2) metrics.counter('my_latency').add(1)
  await sleep(0.02)
})

let server: TestServer
beforeAll(async () => { server = await startServer((_req, res) => res.end('ok')) })
afterAll(async () => { await server.close() })

describe('before any load', () => {
  test('a method that does not fit a built-in metric is an error before setup, VUs or requests', async () => {
    const before = server.received()
    let setups = 0
    let iterations = 0
    const attempt = run({ vus: 1, iterations: 5, thresholds: { http_reqs: ['p(95)<200'], vus: ['rate<1'] },
      setup: () => { setups++; return {} }, fn: async ({ http }) => { iterations++; await http.get(server.url) } })
    await expect(attempt).rejects.toThrow(InvalidThresholdError)
    await expect(attempt).rejects.toThrow('Invalid thresholds:\n  - Threshold "p(95)<200" on "http_reqs": http_reqs is a counter; use count, rate\n' +
      '  - Threshold "rate<1" on "vus": vus is a gauge; use value, min, max')
    expect({ setups, iterations, requests: server.received() - before }).toEqual({ setups: 0, iterations: 0, requests: 0 })
  })

  test('a scenario with such a threshold fails where it is defined', () => {
    expect(() => scenario('thresholds: misfit at definition', { vus: 1, iterations: 1, thresholds: { http_req_failed: ['avg<1'] } }, () => {}))
      .toThrow('Threshold "avg<1" on "http_req_failed": http_req_failed is a rate; use rate')
  })

  test("a profile's thresholds are the ones checked", async () => {
    const attempt = run({ vus: 1, iterations: 1, profile: 'ci', thresholds: { http_reqs: ['count>0'] }, profiles: { ci: { thresholds: { http_reqs: ['med<1'] } } }, fn: () => {} })
    await expect(attempt).rejects.toThrow('Threshold "med<1" on "http_reqs": http_reqs is a counter')
  })
})

describe('when a VU creates a custom metric of the wrong type', () => {
  test('on the test thread: the load stops at once, teardown still runs, and the run fails with the error', async () => {
    let created = -1
    let started = 0
    let startedAfter = 0
    let teardowns = 0
    const t0 = performance.now()
    const attempt = run({ executor: 'constant-vus', vus: 3, duration: '60s', gracefulStop: '30s', thresholds: { 'my_latency{kind:send}': ['p(95)<100'] },
      teardown: () => { teardowns++ },
      fn: async ({ http, vu, metrics, sleep }) => {
        started++
        if (created >= 0) startedAfter++
        await http.get(`${server.url}/inline`)
        if (vu.id === 2 && vu.iteration === 2) { created = started; metrics.counter('my_latency').add(1, { kind: 'send' }) }
        await sleep(0.02)
      } })
    await expect(attempt).rejects.toThrow(InvalidThresholdError)
    await expect(attempt).rejects.toThrow('Threshold "p(95)<100" on "my_latency{kind:send}": my_latency is a counter; use count, rate (my_latency was created as a counter during the run; the load was stopped)')
    // The event happened (VU 2's third iteration) and no VU began an iteration after it.
    expect(created).toBeGreaterThanOrEqual(3)
    expect(startedAfter).toBe(0)
    expect(teardowns).toBe(1)
    // Far inside the planned minute (plus its 30 s graceful stop): it did not wait for the load to end.
    expect(performance.now() - t0).toBeLessThan(30_000)
  })

  test('in a worker pool: the worker that meets it stops every worker, and the error is the threshold error', async () => {
    const before = server.received()
    const t0 = performance.now()
    const attempt = pooledMismatch.run({ workers: 2, data: { url: server.url } })
    await expect(attempt).rejects.toThrow(InvalidThresholdError)
    await expect(attempt).rejects.toThrow('Threshold "p(95)<100" on "my_latency": my_latency is a counter; use count, rate')
    // VU 2 lives in the other worker and never meets the metric: only the stop relayed by the parent ends it early.
    expect(performance.now() - t0).toBeLessThan(30_000)
    expect(server.received() - before).toBeGreaterThanOrEqual(3)
  }, 100_000) // the plan (60 s + 30 s gracefulStop + 5 s start) must fit, or scenario.run() refuses it before any load

  test('a custom metric that fits its thresholds runs the load to its end', async () => {
    const result = await run({ vus: 2, iterations: 6, thresholds: { my_latency: ['p(95)<100'], my_count: ['count==6'] },
      fn: ({ metrics }) => { metrics.trend('my_latency').add(5); metrics.counter('my_count').add(1) } })
    expect(result.iterations.completed).toBe(6)
    expect(result.thresholds.map((t) => t.ok)).toEqual([true, true])
  })
})

describe('a threshold on a metric nobody recorded', () => {
  test('a typo of a built-in fails the run with the metric meant', async () => {
    const attempt = run({ vus: 1, iterations: 3, thresholds: { http_req_duraton: ['p(95)<200'] }, fn: async ({ http }) => { await http.get(server.url) } })
    await expect(attempt).rejects.toThrow(InvalidThresholdError)
    await expect(attempt).rejects.toThrow('Threshold "p(95)<200" on "http_req_duraton": no metric "http_req_duraton" is built in or was created during the run, ' +
      'so this budget cannot be checked; did you mean "http_req_duration"?')
  })

  test('a typo of a custom metric suggests the one the run created', async () => {
    const attempt = run({ vus: 1, iterations: 2, thresholds: { message_delivry: ['p(95)<250'] }, fn: ({ metrics }) => { metrics.trend('message_delivery').add(3) } })
    await expect(attempt).rejects.toThrow('did you mean "message_delivery"?')
  })

  test('a custom metric created but never added to is known: no samples, so it passes as in k6', async () => {
    const result = await run({ vus: 1, iterations: 2, thresholds: { rate_limited: ['count<1'] }, fn: ({ metrics }) => { metrics.counter('rate_limited') } })
    expect(result.thresholds).toEqual([{ key: 'rate_limited', source: 'count<1', ok: true, actual: null, reason: 'no samples for this metric (k6 passes such thresholds)' }])
  })

  test('a run stopped early does not throw for it, but the threshold fails with the reason', async () => {
    const stop = new AbortController()
    const result: PerfResult = await run({ executor: 'constant-vus', vus: 1, duration: '60s', signal: stop.signal, thresholds: { later_metric: ['count>0'] },
      fn: async ({ sleep }) => { stop.abort(new Error('test stops it')); await sleep(1) } })
    expect(result.aborted?.reason).toBe('signal')
    expect(result.thresholds[0]).toMatchObject({ key: 'later_metric', ok: false, actual: null })
    expect(result.thresholds[0]?.reason).toMatch(/no metric "later_metric" is built in or was created during the run[\s\S]*stopped early/)
    expect(result.thresholdsPassed).toBe(false)
  })
})
