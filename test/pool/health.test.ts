/**
 * Generator health beyond saturation: one long event-loop stall (which p99 hides), a worker near
 * its heap limit, and a worker that runs out of memory (LOADSPEC_WORKER_HEAP_MB sets the limit).
 */
import { getHeapStatistics } from 'node:v8'
import { afterEach, describe, expect, test } from 'vitest'
import { scenario, InvalidOptionError, WorkerFailedError } from '../../src/plugin/vitest/index.ts'

const HEAP_ENV = 'LOADSPEC_WORKER_HEAP_MB'
/** A 1 MiB array of doubles: large enough to live in the old generation at once. */
const chunk = () => new Array<number>(128 * 1024).fill(1.5)

/** Blocks its event loop for 2 s once, at the iteration given in data (0: the very first moment of the load). */
const stall = scenario<{ at: number }>('health: one 2 s stall', { executor: 'constant-vus', vus: 1, duration: '4s' }, async ({ vu, data, sleep }) => {
  if (vu.iteration === data.at) {
    const end = performance.now() + 2_000
    while (performance.now() < end) { /* blocks the event loop once */ }
    return
  }
  await sleep(0.1)
})

/** Grows its heap to 90% of the worker's old-generation limit (set by the test), then holds it. */
const hoarding = scenario<{ limitMb: number }>('health: heap near its limit', { executor: 'constant-vus', vus: 1, duration: '1500ms' }, async ({ state, data, sleep }) => {
  const held = ((state as { held?: number[][] }).held ??= [])
  while (getHeapStatistics().used_heap_size < data.limitMb * 0.9 * 2 ** 20) held.push(chunk())
  await sleep(0.1)
})

/** Grows its heap without end: the worker dies of it. */
const leaking = scenario('health: out of memory', { executor: 'constant-vus', vus: 1, duration: '10s' }, async ({ state, sleep }) => {
  const held = ((state as { held?: number[][] }).held ??= [])
  for (let i = 0; i < 4; i++) held.push(chunk())
  await sleep(0.001)
})

const saved = process.env[HEAP_ENV]
afterEach(() => { if (saved === undefined) delete process.env[HEAP_ENV]; else process.env[HEAP_ENV] = saved })

test.each([0, 3])('a VU that blocks its event loop once for 2 s (at iteration %i) is caught by the delay max, which p99 misses', async (at) => {
  const r = await stall.run({ workers: 1, data: { at } })
  const w = r.generator.workers[0]
  expect(w?.loopDelayMaxMs).toBeGreaterThanOrEqual(1_900)
  // one stall among hundreds of samples: p99 alone would not have caught it
  expect(w?.loopDelayP99Ms).toBeLessThan(1_000)
  expect(r.generator.problems.join('; ')).toMatch(/worker 0: event loop blocked for \d{4} ms at once \(limit 500 ms\)/)
  expect(r).not.toHaveHealthyGenerator()
  expect(() => expect(r).toHaveHealthyGenerator()).toThrow(/event loop blocked for \d{4} ms at once/)
})

describe('heap', () => {
  test('a worker near its heap limit is an unhealthy generator', async () => {
    process.env[HEAP_ENV] = '96'
    const r = await hoarding.run({ workers: 1, data: { limitMb: 96 } })
    const w = r.generator.workers[0]
    expect(w?.heapLimitMb).toBeCloseTo(96, 0)
    expect((w?.heapUsedMb ?? 0) / 96).toBeGreaterThan(0.85)
    expect(r.generator.problems.join('; ')).toMatch(/worker 0: heap \d+ MB of its 96 MB limit in use \(\d+%, limit 85%\)/)
    expect(() => expect(r).toHaveHealthyGenerator()).toThrow(/heap \d+ of 96 MB/)
  })

  test('a worker with room to spare is not flagged for its heap', async () => {
    const r = await hoarding.run({ workers: 1, data: { limitMb: 8 } })
    const w = r.generator.workers[0]
    expect(w?.heapLimitMb).toBeGreaterThan(96)
    expect(r.generator.problems.join('; ')).not.toMatch(/heap/)
  })

  test('a worker that runs out of memory ends the run with an error that says so', async () => {
    process.env[HEAP_ENV] = '32'
    const t0 = performance.now()
    const err = await leaking.run({ workers: 1 }).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(WorkerFailedError)
    expect((err as Error).message).toMatch(/worker 0 ran out of memory \(ERR_WORKER_OUT_OF_MEMORY, heap limit 32 MB\): .*raise the limit with LOADSPEC_WORKER_HEAP_MB/)
    const cause = ((err as Error).cause as Error).cause as { code?: string }
    expect(cause.code).toBe('ERR_WORKER_OUT_OF_MEMORY')
    // it ended when the worker died, not at the end of its 10 s
    expect(performance.now() - t0).toBeLessThan(10_000)
  })

  test('a bad heap limit is one clear error before any load', async () => {
    process.env[HEAP_ENV] = '64MB'
    let setupRan = false
    const err = await leaking.run({ workers: 1, setup: () => { setupRan = true } }).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidOptionError)
    expect((err as InvalidOptionError).option).toBe(HEAP_ENV)
    expect((err as Error).message).toBe('LOADSPEC_WORKER_HEAP_MB must be a whole number of megabytes, at least 16 (the heap limit of each load worker); got "64MB". Unset it to use Node\'s default.')
    expect(setupRan).toBe(false)
  })
})
