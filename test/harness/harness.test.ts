/** The runner-neutral harness's small parts: timeouts, lifecycle hooks, caller options, the Jest channel. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { blockTimeoutMs, ownDeadlineMs, TIMEOUT_MARGIN_MS } from '../../src/harness/timeout.ts'
import { withHooks, type BlockHook } from '../../src/harness/lifecycle.ts'
import { prepare } from '../../src/core/run.ts'
import { CALLER_THREAD_OPTIONS, withoutCallerOptions } from '../../src/core/caller-options.ts'
import { executeInput } from '../../src/harness/runner.ts'
import { sendDigest, takeDigests, testKey } from '../../src/plugin/jest/channel.ts'
import type { BlockDigest } from '../../src/report/summary.ts'

const block = prepare('b', { vus: 1, duration: '10s', gracefulStop: '5s' }, async () => {}, 'perf')

describe('timeouts', () => {
  test('a block\'s test timeout is its planned length + graceful stop + the margin, unless timeout is set', () => {
    expect(blockTimeoutMs(block.plan, {})).toBe(15_000 + TIMEOUT_MARGIN_MS)
    expect(blockTimeoutMs(block.plan, { timeout: '2m' })).toBe(120_000)
  })

  test('the own deadline comes before the timeout, keeping 1–10 s for the stop', () => {
    expect(ownDeadlineMs(4_000)).toBe(3_000)
    expect(ownDeadlineMs(30_000)).toBe(24_000)
    expect(ownDeadlineMs(600_000)).toBe(590_000)
    // Never less than half the timeout, so a short test still runs its load.
    expect(ownDeadlineMs(1_000)).toBe(500)
  })
})

describe('lifecycle hooks', () => {
  const ctx = { plan: block.plan, options: {}, signal: undefined }
  const hook = (name: string, log: string[], fail?: 'start' | 'stop'): BlockHook => ({
    start: () => { log.push(`start ${name}`); if (fail === 'start') throw new Error(`${name} did not start`) },
    stop: () => { log.push(`stop ${name}`); if (fail === 'stop') throw new Error(`${name} did not stop`) },
  })

  test('start in order before the body, stop in reverse after it', async () => {
    const log: string[] = []
    await expect(withHooks([hook('a', log), hook('b', log)], ctx, async () => { log.push('body'); return 1 })).resolves.toBe(1)
    expect(log).toEqual(['start a', 'start b', 'body', 'stop b', 'stop a'])
  })

  test('a hook that fails to start stops those started before it, and the body never runs', async () => {
    const log: string[] = []
    await expect(withHooks([hook('a', log), hook('b', log, 'start')], ctx, async () => { log.push('body') })).rejects.toThrow('b did not start')
    expect(log).toEqual(['start a', 'start b', 'stop a'])
  })

  test('the body\'s error wins over a failing stop; a failing stop fails a body that passed', async () => {
    const log: string[] = []
    await expect(withHooks([hook('a', log, 'stop')], ctx, async () => { throw new Error('load failed') })).rejects.toThrow('load failed')
    await expect(withHooks([hook('a', log, 'stop')], ctx, async () => 1)).rejects.toThrow('a did not stop')
  })
})

describe('caller-thread options', () => {
  test('stay on the caller\'s thread; the rest travels', () => {
    const options = { vus: 2, setup: () => 1, teardown: () => {}, data: { a: 1 }, signal: new AbortController().signal, onProgress: () => {} }
    expect(withoutCallerOptions(options)).toEqual({ vus: 2 })
    expect([...CALLER_THREAD_OPTIONS].sort()).toEqual(['data', 'faults', 'onProgress', 'services', 'setup', 'signal', 'teardown'])
    expect(withoutCallerOptions({ vus: 1, services: {}, faults: [] })).toEqual({ vus: 1 })
  })

  test('execute() gets the block\'s caller options, the host\'s signal winning over the options\'', () => {
    const own = new AbortController().signal
    const host = new AbortController().signal
    const services = { api: { host: '127.0.0.1', port: 1, address: '127.0.0.1:1' } }
    const setup = (s: unknown) => ({ got: s })
    const input = executeInput(block, { vus: 1, setup, data: 3, signal: own }, { runner: undefined, signal: host, services })
    expect(input).toMatchObject({ plan: block.plan, data: 3, signal: host, runner: undefined })
    // setup() is called with where the services are reached, teardown() with the data and them.
    expect(input.setup?.()).toEqual({ got: services })
    let torn: unknown[] = []
    executeInput(block, { vus: 1, teardown: (...args: unknown[]) => { torn = args } }, { runner: undefined, services }).teardown?.(7)
    expect(torn).toEqual([7, services])
    expect(executeInput(block, { vus: 1, signal: own }, { runner: undefined }).signal).toBe(own)
  })
})

describe('the Jest channel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadspec-channel-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const d = (name: string) => ({ name }) as unknown as BlockDigest

  test('a test\'s digests come back in the order written, once, and only for that test', () => {
    const key = testKey('/a.test.ts', 'suite block')
    const other = testKey('/a.test.ts', 'suite other')
    for (const n of ['first', 'second', 'third']) sendDigest(dir, key, d(n))
    sendDigest(dir, other, d('theirs'))
    expect(takeDigests(dir, key).map((x) => x.name)).toEqual(['first', 'second', 'third'])
    expect(takeDigests(dir, key)).toEqual([])
    expect(takeDigests(dir, other).map((x) => x.name)).toEqual(['theirs'])
  })
})

describe('the environment a runner gives its test workers', () => {
  test('reportDir false writes nothing, even under an outer run that set a directory; otherwise a path', async () => {
    const { workerEnv } = await import('../../src/harness/config.ts')
    expect(workerEnv({ reportDir: false }, '/p', false)['LOADSPEC_REPORT_DIR']).toBe('')
    expect(workerEnv({}, '/p', false)['LOADSPEC_REPORT_DIR']).toBe(join('/p', 'perf-results'))
    expect(workerEnv({ reportDir: 'out' }, '/p', true)).toMatchObject({ LOADSPEC_REPORT_DIR: join('/p', 'out'), LOADSPEC_PROGRESS: '1' })
  })

  test("a chosen profile's timeout is the block's test timeout", () => {
    const options = { vus: 1, duration: '1s', timeout: '20s', profiles: { ci: { timeout: '7s' }, full: {} } }
    expect(blockTimeoutMs(prepare('t', options, () => {}, 'perf', 'ci').plan, options)).toBe(7000)
    expect(blockTimeoutMs(prepare('t', options, () => {}, 'perf', 'full').plan, options)).toBe(20_000)
  })
})
