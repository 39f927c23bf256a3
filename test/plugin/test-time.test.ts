/** The time a test has left, and a scenario's plan against it (the e2e fixture runs it in Vitest). */
import { describe, expect, test } from 'vitest'
import { prepare } from '../../src/core/run.ts'
import { assertFitsTest, testTimeLeft } from '../../src/harness/test-time.ts'

const plan = (options: Record<string, unknown>) => prepare('s', options as never, async () => {}, 'scenario').plan

describe('testTimeLeft', () => {
  test('no timeout, or no test: unlimited', () => {
    expect(testTimeLeft(undefined)).toBe(Infinity)
    expect(testTimeLeft({ name: 't', timeout: 0 })).toBe(Infinity)
  })
  test('counted from the start of the current attempt', () => {
    expect(testTimeLeft({ name: 't', timeout: 10_000, result: { startTime: 1_000 } }, 4_000)).toBe(7_000)
    // a retry gets its own timeout: the first attempt's 5 s do not count against it
    expect(testTimeLeft({ name: 't', timeout: 10_000, result: { startTime: 1_000, attempts: [{ duration: 5_000 }] } }, 7_000)).toBe(9_000)
  })
})

describe('assertFitsTest', () => {
  const long = plan({ vus: 1, duration: '30s', gracefulStop: '10s' })
  test('a schedule that fits passes', () => {
    expect(() => assertFitsTest('s', long, { name: 't', timeout: 45_000 })).not.toThrow()
  })
  test('a schedule that does not fit names its parts, the time left and the timeout to write', () => {
    const t = { name: 'my test', timeout: 60_000, result: { startTime: Date.now() } }
    expect(() => assertFitsTest('s', long, t)).not.toThrow()
    // 40 s already spent in this test: 20 s left for 45 s of need
    const err = (() => { try { assertFitsTest('s', plan({ vus: 1, duration: '30s', gracefulStop: '10s' }), { ...t, result: { startTime: Date.now() - 40_000 } }) } catch (e) { return e as Error } })()
    expect(err?.name).toBe('InvalidOptionError')
    expect(err?.message).toMatch(/^scenario "s" needs up to 45s \(30s of load \+ 10s gracefulStop \+ 5s to start\), but its test has 20s left of its 60000 ms timeout; no load was started\. Give the test the time: test\("my test", fn, 8[56]_000\) or testTimeout in vitest\.config\.ts$/)
  })
  test('the unit that ends last decides, start time included; iteration units have no fixed end', () => {
    const mixed = plan({ scenarios: {
      a: { executor: 'constant-vus', vus: 1, duration: '10s', startTime: '20s', fn: async () => {} },
      b: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '1h', fn: async () => {} },
    } })
    expect(() => assertFitsTest('s', mixed, { name: 't', timeout: 66_000 })).not.toThrow()
    expect(() => assertFitsTest('s', mixed, { name: 't', timeout: 60_000 })).toThrow(/needs up to 1m5s \(30s of load \+ 30s gracefulStop \+ 5s to start\)/)
    expect(() => assertFitsTest('s', plan({ vus: 1, iterations: 10 }), { name: 't', timeout: 1_000 })).not.toThrow()
  })
})
