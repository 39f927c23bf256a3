/**
 * Services and faults wired into blocks through the harness, against a real process service:
 * addresses reach setup() and the VUs (workers 0 and 2), the services are gone after the block
 * (also when it fails or is aborted), a fault past the end of the load fails before any load, a
 * kill mid-run shows in the phases and recovery, a toxic's latency in the `during` phase.
 */
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { scenario } from '../../src/plugin/vitest/index.ts'
import { processService, run, sharedServices, InvalidOptionError, type ServiceAddresses } from '../../src/index.ts'
import { pidAlive } from '../services/helpers.ts'

const HTTP_SERVER = fileURLToPath(new URL('../fixtures/services/http-server.mjs', import.meta.url))
const api = () => processService(process.execPath, [HTTP_SERVER], { port: 0, env: { PORT: '{port}' }, ready: { http: '/health' } })
const pidOf = async (s: ServiceAddresses) => Number(await (await fetch(`${s['api']?.url}/pid`)).text())

// Filled on the caller's thread by teardown(), which gets the addresses as its second argument.
let seen: { pid: number } | undefined
interface Data { services: ServiceAddresses }

const reach = scenario<Data>('services reach the VUs', {
  executor: 'shared-iterations', vus: 2, iterations: 40, maxDuration: '30s',
  services: { api: api() },
  teardown: async (_data, services) => { seen = { pid: await pidOf(services) } },
}, async ({ http, data, check }) => {
  const res = await http.get(`${data.services['api']?.url}/pid`)
  check(res, { 'answered by the service': (r) => r.status === 200 && Number(r.body) > 0 })
})

describe('services in a block', () => {
  test.each([0, 2])('the address reaches the VUs with workers: %i, and the process is gone after the block', async (workers) => {
    seen = undefined
    const result = await reach.run({ workers })
    expect(result.counter('http_reqs')?.count).toBe(40)
    expect(result.rate('checks')).toMatchObject({ passes: 40, fails: 0 })
    const pid = (seen as { pid: number } | undefined)?.pid ?? 0
    expect(pid).toBeGreaterThan(0)
    expect(pidAlive(pid)).toBe(false)
  })

  test('setup() gets the addresses; its data reaches the VUs (run(), workers 0)', async () => {
    let pid = 0
    const result = await run<{ url: string }>({
      vus: 1, iterations: 5, services: { api: api() },
      setup: async (services) => { pid = await pidOf(services); return { url: services['api']?.url as string } },
      fn: async ({ http, data }) => { await http.get(`${data.url}/health`) },
    })
    expect(result.counter('http_reqs')?.count).toBe(5)
    expect(result.errorRate).toBe(0)
    expect(pid).toBeGreaterThan(0)
    expect(pidAlive(pid)).toBe(false)
  })

  test('a failing block stops its services and its error ends with their last log lines', async () => {
    let pid = 0
    const failing = run({ vus: 1, iterations: 1, services: { api: api() }, fn: async () => {},
      setup: async (services) => { pid = await pidOf(services); throw new Error('setup broke') } })
    await expect(failing).rejects.toThrow(/setup broke[\s\S]*last \d+ log lines of service "api"[\s\S]*listening on/)
    expect(pid).toBeGreaterThan(0)
    expect(pidAlive(pid)).toBe(false)
  })

  test('an aborted block stops its services', async () => {
    let pid = 0
    const stop = new AbortController()
    const result = await run({ vus: 1, duration: '60s', services: { api: api() }, signal: stop.signal,
      setup: async (services) => { pid = await pidOf(services); return { url: services['api']?.url } },
      onProgress: (live) => { if (live.requests > 0) stop.abort(new Error('enough')) },
      fn: async ({ http, data, sleep }) => { await http.get(`${(data as { url: string }).url}/health`); await sleep(0.01) } })
    expect(result.aborted?.reason).toBe('signal')
    expect(pid).toBeGreaterThan(0)
    expect(pidAlive(pid)).toBe(false)
  })

  test('a fault past the end of the load, or naming an undeclared service, is an error before any load', async () => {
    let setupRan = false
    const options = { vus: 1, duration: '2s', services: { api: api() }, setup: () => { setupRan = true } }
    expect(() => scenario('late fault', { ...options, faults: [{ at: '5s', service: 'api', action: 'kill' }] }, async () => {}))
      .toThrow(/faults\[0\]\.at: 5s is at or past the end of the load \(2s\)/)
    await expect(run({ ...options, faults: [{ at: '1s', service: 'db', action: 'kill' }], fn: async () => {} })).rejects.toThrow(InvalidOptionError)
    // A profile times its own faults against its own load.
    await expect(run({ ...options, profile: 'ci', profiles: { ci: { duration: '1s', faults: [{ at: '1500ms', service: 'api', action: 'kill' }] } }, fn: async () => {} }))
      .rejects.toThrow(/past the end of the load \(1s\)/)
    expect(setupRan).toBe(false)
  })

  test('services: unknown kinds are refused by the option schema', () => {
    expect(() => scenario('bad service', { vus: 1, duration: '1s', services: { api: { kind: 'vm' } as never } }, async () => {}))
      .toThrow(/services\.api: must be a service made by container/)
  })
})

const shared = sharedServices({ api: api() })
afterAll(() => shared.stop())
const firstBlock = scenario('shared 1', { vus: 1, iterations: 2, workers: 0, services: shared, setup: (s) => pidOf(s) }, async () => {})
const secondBlock = scenario('shared 2', { vus: 1, iterations: 2, workers: 0, services: shared, setup: (s) => pidOf(s) }, async () => {})

test('a sharedServices() set is started once for the blocks that use it, and stopped by its owner', async () => {
  let pids: number[] = []
  const a = await firstBlock.run({ teardown: (pid: unknown) => { pids.push(pid as number) } })
  const b = await secondBlock.run({ teardown: (pid: unknown) => { pids.push(pid as number) } })
  expect(a.iterations.completed + b.iterations.completed).toBe(4)
  expect(pids[0]).toBeGreaterThan(0)
  expect(pids[1]).toBe(pids[0])
  expect(pidAlive(pids[0] as number)).toBe(true)
  await shared.stop()
  expect(pidAlive(pids[0] as number)).toBe(false)
  pids = []
})

describe('faults in a block', () => {
  const hit = async ({ http, data, sleep }: { http: import('../../src/index.ts').VuContext['http']; data: unknown; sleep: (s: number) => Promise<void> }) => {
    await http.get(`${(data as Data).services['api']?.url}/health`, { name: 'GET /health' })
    await sleep(0.02)
  }

  test('a kill mid-run against a real process: before has no errors, during has, recovery measured', async () => {
    const result = await run({
      vus: 2, duration: '6s', services: { api: api() }, http: { timeout: '1s' },
      faults: [{ at: '2s', for: '2s', service: 'api', action: 'kill' }],
      fn: (ctx) => hit(ctx),
    })
    const [mark] = result.toJSON().faults ?? []
    expect(mark?.label).toBe('kill api for 2s')
    expect(mark?.atMs).toBeGreaterThan(1_500)
    expect(mark?.endMs).toBeGreaterThan((mark?.atMs ?? 0) + 1_900)
    const before = result.phase('before')
    const during = result.phase('during')
    const after = result.phase('after')
    expect(before.requests).toBeGreaterThan(0)
    expect(before.errorRate).toBe(0)
    expect(during.errorRate).toBeGreaterThan(0)
    expect(result.phase('during:0').errorRate).toBe(during.errorRate)
    expect(after.requests).toBeGreaterThan(0)
    expect(after.throughput).toBeGreaterThan(0)
    expect(result).toRecoverWithin(2_000)
    // Another phase name is still the `phase` tag.
    expect(result.phase('warmup').requests).toBe(0)
  })

  test('a latency toxic through the automatic fault proxy shows in the during phase\'s p95', async () => {
    let seenAddress = ''
    const result = await run({
      vus: 2, duration: '5s', services: { api: api() },
      faults: [{ at: '2s', for: '2s', service: 'api', toxic: { type: 'latency', latency: 100 } }],
      setup: async (services) => {
        seenAddress = services['api']?.address as string
        return { services }
      },
      fn: (ctx) => hit(ctx),
    })
    expect(seenAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    const before = result.phase('before').p95 ?? Infinity
    const during = result.phase('during').p95 ?? 0
    expect(before).toBeLessThan(50)
    expect(during).toBeGreaterThanOrEqual(100)
    expect(result.phase('during').errorRate).toBe(0)
    expect(result.toJSON().faults?.[0]?.label).toBe('latency on api for 2s')
  })

  test('a fault that cannot be applied stops the run with its error', async () => {
    const idle = processService(process.execPath, ['-e', 'setInterval(() => {}, 1000)'])
    const started = Date.now()
    const failing = run({ vus: 1, duration: '20s', services: { idle }, faults: [{ at: '500ms', for: '1s', service: 'idle', toxic: { type: 'latency', latency: 10 } }],
      fn: async ({ sleep }) => { await sleep(0.05) } })
    await expect(failing).rejects.toThrow(/no fault proxy stands in front of idle/)
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})
