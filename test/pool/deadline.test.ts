/**
 * A run always ends near its bound: VU functions that never settle are abandoned after the hard
 * stop and counted as interrupted, on the test's thread and in workers; a worker whose VU never
 * yields is terminated at its hard deadline, and its iterations in progress count as interrupted.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { scenario } from '../../src/plugin/vitest/index.ts'
import { HARD_STOP_MS } from '../../src/core/executors/lifecycle.ts'
import { DEADLINE_MARGIN_MS } from '../../src/pool/deadline.ts'
import { settledThreads } from './threads.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'

let server: TestServer
/** Called when a VU tells the server it is about to block its worker. */
let onSpinning: () => void = () => {}
beforeAll(async () => { server = await startServer((req, res) => { if (req.url === '/spinning') onSpinning(); res.end('ok') }) })
afterAll(async () => { await server.close() })

const never = scenario('deadline: a VU that awaits a promise that never settles', { executor: 'constant-vus', vus: 2, duration: '300ms', gracefulStop: '200ms' },
  async ({ vu, sleep }) => {
    if (vu.iteration === 0) { await sleep(0.05); return }
    await new Promise(() => {})
  })

/** After a few quick iterations (so a snapshot holds them), the VU blocks its event loop for good. */
const spinning = scenario('deadline: a VU that busy-loops past the deadline', { executor: 'constant-vus', vus: 1, duration: '1500ms', gracefulStop: '200ms' },
  async ({ vu, sleep }) => {
    if (vu.iteration < 3) { await sleep(0.4); return }
    // Bounded all the same, should termination ever fail.
    const end = Date.now() + 60_000
    while (Date.now() < end) { /* never yields */ }
  })

/** Tells the server, then blocks its worker for good, in a load planned for 60 s + 30 s. */
const spinningLong = scenario<{ url: string }>('deadline: a VU that busy-loops, aborted', { executor: 'constant-vus', vus: 1, duration: '60s', gracefulStop: '30s' },
  async ({ http, data }) => {
    await http.get(`${data.url}/spinning`)
    const end = Date.now() + 60_000
    while (Date.now() < end) { /* never yields */ }
  })

/** The most a run may take: its planned length + the hard stop + the pool's margin, + start-up on a busy machine. */
const bound = (plannedMs: number) => plannedMs + HARD_STOP_MS + DEADLINE_MARGIN_MS + 5_000

describe('a VU function that never settles', () => {
  for (const workers of [0, 1]) {
    test(`is abandoned after the hard stop and counted as interrupted (workers: ${workers})`, async () => {
      const t0 = performance.now()
      const r = await never.run({ workers })
      expect(performance.now() - t0).toBeLessThan(bound(500))
      expect(r.iterations.completed).toBe(2)
      expect(r.iterations.interrupted).toBe(2)
      expect(r.scenario('default').iterations.interrupted).toBe(2)
    })
  }
})

test('a worker whose VU busy-loops is terminated at its hard deadline; its iteration counts as interrupted', async () => {
  const before = await settledThreads()
  const t0 = performance.now()
  const r = await spinning.run({ workers: 1 })
  expect(performance.now() - t0).toBeLessThan(bound(1700))
  expect(r.iterations.interrupted).toBe(1)
  // what the worker reported before it blocked is kept
  expect(r.iterations.completed).toBeGreaterThanOrEqual(1)
  expect(r.iterations.completed).toBeLessThanOrEqual(3)
  // the worker could not report on itself: its silence is its event-loop delay
  expect(r.generator.healthy).toBe(false)
  expect(r.generator.problems.join('; ')).toMatch(/worker 0: event loop blocked for \d+ ms at once/)
  expect(await settledThreads(before)).toBe(before)
}, 30_000)

test('after an abort, a worker that cannot stop is terminated at the hard stop + margin, not at its planned end', async () => {
  const ac = new AbortController()
  let abortedAt = 0
  onSpinning = () => { if (!ac.signal.aborted) { abortedAt = performance.now(); ac.abort(new Error('test aborted')) } }
  const r = await spinningLong.run({ workers: 1, signal: ac.signal, data: { url: server.url } })
  expect(abortedAt).toBeGreaterThan(0)
  expect(performance.now() - abortedAt).toBeLessThan(HARD_STOP_MS + DEADLINE_MARGIN_MS + 5_000)
  expect(r.aborted?.reason).toBe('signal')
  expect(r.iterations.interrupted).toBe(1)
}, 30_000)
