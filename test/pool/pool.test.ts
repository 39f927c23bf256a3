/**
 * The worker pool: these scenarios are defined at the top level of this file, so each worker loads
 * this very file (bundled) and finds them by name, as it would a user's perf suite.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { scenario, WorkerFailedError, type PerfResult } from '../../src/plugin/vitest/index.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'
import { delayPath } from './paths.ts'
import { settledThreads } from './threads.ts'
import { encodeHistogram, mergeEncoded } from '../../src/metrics/histogram.ts'
import { WORKER_SEMI_SPACE_MB } from '../../src/pool/young-generation.ts'
import { getHeapSpaceStatistics } from 'node:v8'
import { Worker } from 'node:worker_threads'

/** Module-level constant used inside VU functions (must reach workers). */
const PREFIX = '/delay'
interface Data { url: string }

let server: TestServer
const seen: string[] = []
beforeAll(async () => {
  server = await startServer((req, res) => {
    seen.push(req.url ?? '')
    const n = Number((req.url ?? '').split('/').pop()?.replace('d', ''))
    setTimeout(() => res.end('ok'), Number.isFinite(n) ? n * 2 : 0)
  })
})
afterAll(async () => { await server.close() })

const counted = scenario<Data>('pool: counted requests', { executor: 'per-vu-iterations', vus: 8, iterations: 25 }, async ({ http, data, vu }) => {
  await http.get(data.url + delayPath(PREFIX, vu.id + vu.iteration))
})

const rate = scenario<Data>('pool: rate split', { executor: 'constant-arrival-rate', rate: 100, duration: '2s', preAllocatedVUs: 6, maxVUs: 30 },
  async ({ http, data }) => { await http.get(`${data.url}/r/0`) })

const sevenVus = scenario('pool: seven VUs', { executor: 'per-vu-iterations', vus: 7, iterations: 3 }, ({ vu, metrics }) => {
  metrics.counter('vu_seen').add(1, { id: String(vu.id) })
})

const crashing = scenario<Data>('pool: a worker exits', { executor: 'constant-vus', vus: 2, duration: '3s' }, async ({ http, data, vu, sleep }) => {
  await http.get(`${data.url}/c/0`)
  if (vu.id === 2 && vu.iteration === 3) process.exit(3)
  await sleep(0.02)
})

const throwing = scenario<Data>('pool: a worker throws outside an iteration', { executor: 'constant-vus', vus: 2, duration: '3s' }, async ({ http, data, vu, sleep }) => {
  await http.get(`${data.url}/t/0`)
  if (vu.id === 1 && vu.iteration === 2) setTimeout(() => { throw new Error('escaped the iteration') }, 0)
  await sleep(0.02)
})

const long = scenario<Data>('pool: long', { executor: 'constant-vus', vus: 4, duration: '60s', gracefulStop: '30s' }, async ({ http, data, sleep }) => {
  await http.get(`${data.url}/l/0`)
  await sleep(0.05)
})

const busy = scenario('pool: CPU-bound VU function', { executor: 'constant-vus', vus: 1, duration: '1500ms' }, () => {
  const end = performance.now() + 80
  while (performance.now() < end) { /* a VU that burns CPU blocks its worker's event loop */ }
})

const idle = scenario<Data>('pool: light load', { executor: 'constant-vus', vus: 2, duration: '1s' }, async ({ http, data, sleep }) => {
  await http.get(`${data.url}/h/0`)
  await sleep(0.05)
})

const streamed = scenario<Data>('pool: streamed timeline', { executor: 'constant-vus', vus: 4, duration: '3500ms' }, async ({ http, data, sleep }) => {
  await http.get(`${data.url}/s/0`)
  await sleep(0.003)
})

/** When this module was evaluated: in a worker, after the pool started it and before its load began. */
const MODULE_LOADED_AT = Date.now()
const clock = scenario('pool: clock origin', { executor: 'per-vu-iterations', vus: 1, iterations: 1 }, ({ metrics }) => {
  metrics.gauge('module_loaded_at').add(MODULE_LOADED_AT)
})

const youngGeneration = scenario('pool: young generation', { executor: 'per-vu-iterations', vus: 1, iterations: 1 }, ({ metrics }) => {
  const space = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')
  metrics.gauge('new_space_mb').add((space?.space_size ?? 0) / 2 ** 20)
})

const perEndpoint = (r: PerfResult) => Object.fromEntries(r.endpoints().map((n) => [n, r.endpoint(n).requests]))

describe('splitting and merging', () => {
  test('the same load with 1, 2 and 4 workers gives the same totals and the same distribution', async () => {
    const results: PerfResult[] = []
    for (const workers of [1, 2, 4]) {
      const before = server.received()
      const r = await counted.run({ workers, data: { url: server.url } })
      expect(server.received() - before).toBe(200)
      expect(r.requests).toBe(200)
      expect(r.iterations.completed).toBe(200)
      expect(r.generator.workers.length).toBe(workers)
      results.push(r)
    }
    // the request mix is decided by global VU ids and iterations, so it is identical whatever the split
    expect(perEndpoint(results[1] as PerfResult)).toEqual(perEndpoint(results[0] as PerfResult))
    expect(perEndpoint(results[2] as PerfResult)).toEqual(perEndpoint(results[0] as PerfResult))
    for (const r of results) {
      // server delays are 0, 2, 4 and 6 ms: the merged p95 is the slowest path's, whatever the split
      expect(r.endpoint('GET /delay/d3').latency?.p50).toBeGreaterThanOrEqual(5)
      expect(r.endpoints().length).toBe(4)
      expect(r.trend('http_req_duration')?.count).toBe(200)
    }
  })

  test("a pooled result's start is when the load began in its worker (the origin of its seconds), not when the pool was created", async () => {
    const r = await clock.run({ workers: 1 })
    const loadedAt = r.gauge('module_loaded_at')?.value
    expect(loadedAt).toBeGreaterThan(0)
    // The worker loaded this module before it started its load; the pool was created before that.
    expect(r.startTime).toBeGreaterThanOrEqual(loadedAt as number)
  })

  test('a worker\'s young generation is at its full size from its first iteration; threads made afterwards get V8\'s default', async () => {
    const r = await youngGeneration.run({ workers: 1 })
    expect(r.gauge('new_space_mb')?.value).toBeGreaterThanOrEqual(WORKER_SEMI_SPACE_MB)
    // The flag was put back once the pool's threads were online: another Worker starts small.
    const code = "const s = require('v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space'); require('worker_threads').parentPort.postMessage(s.space_size / 2 ** 20)"
    const other = new Worker(code, { eval: true })
    const mb = await new Promise<number>((resolve) => other.once('message', resolve))
    await other.terminate()
    expect(mb).toBeLessThan(WORKER_SEMI_SPACE_MB)
  })

  test('rate 100/s over 3 workers starts exactly 100 iterations a second in total', async () => {
    const r = await rate.run({ workers: 3, data: { url: server.url } })
    expect(r.iterations.completed + r.iterations.dropped).toBe(200)
    expect(r.iterations.dropped).toBe(0)
    // every iteration was scheduled (a lag recorded for each), and the schedule spans the 2 s:
    // the last of 200 is due at 1.99 s, so no split ran its share faster than 100/s in total
    expect(r.trend('schedule_lag')?.count).toBe(200)
    expect(r.duration).toBeGreaterThanOrEqual(1_990)
    // nor slower: three workers each running the whole schedule would have taken 6 s
    expect(r.duration).toBeLessThan(5_000)
  })

  test('7 VUs over 3 workers: every VU id 1–7 runs exactly once, none twice', async () => {
    const r = await sevenVus.run({ workers: 3 })
    for (let id = 1; id <= 7; id++) expect(r.counter('vu_seen', { id: String(id) })?.count, `VU ${id}`).toBe(3)
    expect(r.counter('vu_seen')?.count).toBe(21)
    expect(r.gauge('vus_max')?.value).toBe(7)
  })

  test.each([0, 1, 2])('with %i workers the timeline streamed second by second holds every sample of the run exactly once', async (workers) => {
    const r = await streamed.run({ workers, data: { url: server.url } })
    const tl = r.data.metrics.timeline
    expect(tl.map((s) => s.t)).toEqual(tl.map((_, i) => i))
    expect(tl.length).toBeGreaterThanOrEqual(4)
    expect(tl.reduce((a, s) => a + (s.counters['http_reqs'] ?? 0), 0)).toBe(r.requests)
    // Every latency is recorded in its second's histogram and in the run's: their unions are equal.
    const perSecond = encodeHistogram(mergeEncoded(tl.flatMap((s) => (s.trends['http_req_duration'] ? [s.trends['http_req_duration']] : []))))
    const whole = encodeHistogram(mergeEncoded(r.data.metrics.series.filter((s) => s.name === 'http_req_duration').map((s) => s.hist ?? '')))
    expect(perSecond).toBe(whole)
    expect(r.requests).toBeGreaterThan(100)
  })

  test('module-level constants and imports reach the workers', async () => {
    seen.length = 0
    await counted.run({ workers: 2, iterations: 1, data: { url: server.url } })
    expect(seen.sort()).toEqual(['/delay/d0', '/delay/d1', '/delay/d1', '/delay/d2', '/delay/d2', '/delay/d3', '/delay/d3', '/delay/d0'].sort())
  })
})

describe('failure, abort and cleanup', () => {

  test('a worker that exits fails the block with that error and keeps the others\' results', async () => {
    const err = await crashing.run({ workers: 2, data: { url: server.url } }).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(WorkerFailedError)
    expect((err as Error).message).toMatch(/worker 1 failed: .*exit/i)
    const partial = (err as WorkerFailedError).result as PerfResult
    expect(partial.scenario('default').requests).toBeGreaterThan(0)
    expect(partial.aborted?.reason).toBe('error')
  })

  test('an uncaught exception in a worker fails the block with its message', async () => {
    const err = await throwing.run({ workers: 2, data: { url: server.url } }).then(() => null, (e: unknown) => e)
    expect((err as Error).message).toMatch(/worker 0 failed: escaped the iteration/)
  })

  test('an abort stops every worker without waiting for the schedule or the graceful stop, and leaves no thread behind', async () => {
    const before = await settledThreads()
    const ac = new AbortController()
    let abortedAt = 0
    // Abort once the merged live figures hold every VU's first request: an observed event, not a delay.
    const r = await long.run({ workers: 2, signal: ac.signal, data: { url: server.url }, onProgress: (live) => {
      if (live.requests >= 4 && !ac.signal.aborted) { abortedAt = performance.now(); ac.abort(new Error('test aborted')) }
    } })
    expect(abortedAt).toBeGreaterThan(0)
    // 60 s of load and a 30 s graceful stop were planned: ending well inside them is the abort's doing
    expect(performance.now() - abortedAt).toBeLessThan(10_000)
    expect(r.aborted).toEqual({ reason: 'signal', message: 'test aborted' })
    expect(r.requests).toBeGreaterThanOrEqual(4)
    expect(r.iterations.completed).toBeGreaterThanOrEqual(4)
    expect(await settledThreads(before)).toBe(before)
  })
})

describe('generator health', () => {
  test('a CPU-bound VU function is flagged as an unhealthy generator', async () => {
    const r = await busy.run({ workers: 1 })
    expect(r.generator.healthy).toBe(false)
    expect(r.generator.problems.join('; ')).toMatch(/worker 0: (event-loop delay p99 \d+\.\d ms \(limit 50 ms\)|CPU \d+% of a core|event loop busy \d+% of the time)/)
    expect(r).not.toHaveHealthyGenerator()
    expect(() => expect(r).toHaveHealthyGenerator()).toThrow(/Received: saturated — worker 0/)
  })

  test('a run too short to judge is not called saturated', async () => {
    const r = await sevenVus.run({ workers: 1 })
    expect(r.generator.workers[0]?.wallMs).toBeLessThan(1000)
    expect(r).toHaveHealthyGenerator()
  })

  test('a light load is a healthy generator', async () => {
    const r = await idle.run({ workers: 2, data: { url: server.url } })
    expect(r).toHaveHealthyGenerator()
    expect(r.generator.workers.map((w) => w.worker).sort()).toEqual([0, 1])
  })
})

const asserting = scenario('pool: expect inside a VU function', { iterations: 1 }, () => {
  expect(1).toBe(1)
})

test('expect() inside a VU function in a worker is a clear, counted error, not a silent pass', async () => {
  const r = await asserting.run({ workers: 1 })
  expect(r.errors.byKind.exception).toBe(1)
  expect(r.errors.samples[0]?.message).toMatch(/expect\(\) does not run inside a load worker: record outcomes in a VU function with check\(value/)
})

test('live progress: snapshots merged over every worker reach onProgress while the load runs', async () => {
  const seen: { requests: number; vusMax: number }[] = []
  let running = true
  const r = await idle.run({ workers: 2, duration: '3500ms', data: { url: server.url }, onProgress: (live) => {
    if (running) seen.push({ requests: live.requests, vusMax: live.gauge('vus_max')?.value ?? 0 })
  } })
  running = false
  // workers send a snapshot each second of their load: a 3.5 s load gives the parent several
  expect(seen.length).toBeGreaterThanOrEqual(2)
  for (let i = 1; i < seen.length; i++) expect((seen[i] as { requests: number }).requests).toBeGreaterThanOrEqual((seen[i - 1] as { requests: number }).requests)
  const last = seen.at(-1) as { requests: number; vusMax: number }
  // one VU per worker: both workers' snapshots are in the merge
  expect(last.vusMax).toBe(2)
  expect(last.requests).toBeGreaterThan(0)
  expect(last.requests).toBeLessThanOrEqual(r.requests)
})
