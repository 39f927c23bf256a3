/**
 * The fault timeline against a real process service and a real fault proxy: faults are checked
 * before any load, applied at their time, reverted after `for`, marked with when they were in
 * force, and a fault that cannot be applied is reported, never skipped in silence.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'
import { processService, startServices, startFaultProxy, type FaultProxy, type ServiceSet } from '../../src/index.ts'
import { planFaults, proxiedServices, startFaultTimeline, type FaultTimeline } from '../../src/services/faults.ts'

const HTTP_SERVER = fileURLToPath(new URL('../fixtures/services/http-server.mjs', import.meta.url))

describe('planFaults: checked before any load', () => {
  test.each([
    [[{ at: '1s', service: 'nope', action: 'kill' }], /faults\[0\]\.service: "nope" is not one of the block's services \(api\)/],
    [[{ at: '90s', service: 'api', action: 'kill' }], /faults\[0\]\.at: 1m30s is at or past the end of the load \(1m\)/],
    [[{ at: '1s', service: 'api', action: 'restart', for: '5s' }], /faults\[0\]\.for: a "restart" has nothing to revert/],
    [[{ at: '1s', service: 'api', action: 'explode' }], /faults\[0\]\.action: .*a fault looks like/],
    [[{ at: '1s', service: 'api', toxic: { type: 'latency', latency: 100 } }], /faults\[0\]\.for: .*toxic/],
    [[{ at: '1s', for: '2s', service: 'api', toxic: { type: 'latency', latency: -5 } }], /faults\[0\]\.toxic\.latency/],
    [[{ at: '1s', service: 'api', action: 'kill', when: 'now' }], /faults\[0\]: .*when/],
    [{ at: '1s' }, /faults: must be a list/],
  ])('%j is refused', (faults, message) => {
    expect(() => planFaults(faults, ['api'], 60_000)).toThrow(message)
  })

  test('labels, times and the services a toxic needs a proxy for', () => {
    const planned = planFaults([
      { at: '10s', service: 'api', action: 'kill', for: '5s' },
      { at: 20_000, for: '2s', service: 'db', toxic: { type: 'latency', latency: 100 } },
    ], ['api', 'db'], 60_000)
    expect(planned.map((f) => [f.label, f.atMs, f.untilMs])).toEqual([['kill api for 5s', 10_000, 15_000], ['latency on db for 2s', 20_000, 22_000]])
    expect(proxiedServices(planned)).toEqual(['db'])
  })
})

describe('the timeline', () => {
  let services: ServiceSet | undefined
  let proxy: FaultProxy | undefined
  let timeline: FaultTimeline | undefined
  afterEach(async () => {
    await timeline?.stop()
    await proxy?.close()
    await services?.stopAll()
    services = proxy = timeline = undefined
  })

  const api = () => processService(process.execPath, [HTTP_SERVER], { port: 0, env: { PORT: '{port}' }, ready: { http: '/health' } })
  const until = async (cond: () => boolean | Promise<boolean>, what: string) => {
    const deadline = Date.now() + 20_000
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  const answers = async (url: string) => fetch(`${url}/health`).then((r) => r.ok, () => false)

  test('a kill for a span takes the service down, brings it back, and marks when it was down', async () => {
    services = await startServices({ api: api() })
    const url = services.get('api').url as string
    const planned = planFaults([{ at: 50, service: 'api', action: 'kill', for: 300 }], ['api'], 10_000)
    const errors: Error[] = []
    timeline = startFaultTimeline(planned, { services, proxies: new Map() }, (e) => errors.push(e))
    await until(async () => !(await answers(url)), 'the kill')
    await until(() => timeline?.marks.length === 1, 'the fault to end')
    expect(await answers(url)).toBe(true)
    const [mark] = timeline.marks
    expect(mark?.label).toBe('kill api for 300ms')
    expect(mark?.atMs).toBeGreaterThanOrEqual(50) // never before its time
    expect((mark?.endMs ?? 0) - (mark?.atMs ?? 0)).toBeGreaterThanOrEqual(299)
    expect(errors).toEqual([])
  })

  test('a toxic for a span goes through the proxy in front of the service and is removed after it', async () => {
    services = await startServices({ api: api() })
    const { host, port } = services.get('api')
    proxy = await startFaultProxy({ upstream: { host, port: port as number } })
    const planned = planFaults([{ at: 0, for: 400, service: 'api', toxic: { type: 'down' } }], ['api'], 10_000)
    timeline = startFaultTimeline(planned, { services, proxies: new Map([['api', proxy]]) }, () => {})
    const viaProxy = `http://${proxy.host}:${proxy.port}`
    await until(async () => !(await answers(viaProxy)), 'the proxy to refuse')
    await until(() => timeline?.marks.length === 1, 'the fault to end')
    expect(await answers(viaProxy)).toBe(true)
  })

  test('a fault that cannot be applied is reported with its label, and later faults are not applied', async () => {
    services = await startServices({ api: api() })
    const planned = planFaults([{ at: 0, service: 'api', action: 'unpause' }, { at: 200, service: 'api', action: 'kill' }], ['api'], 10_000)
    const errors: Error[] = []
    timeline = startFaultTimeline(planned, { services, proxies: new Map() }, (e) => errors.push(e))
    await until(() => errors.length === 1, 'the error')
    expect(errors[0]?.message).toMatch(/fault "unpause api" could not be applied/)
    expect(errors[0]?.name).toBe('ServiceError')
    await timeline.stop()
    expect(await answers(services.get('api').url as string)).toBe(true)
    expect(timeline.marks).toEqual([])
  })

  test('stop() reverts what is still in force', async () => {
    services = await startServices({ api: api() })
    const url = services.get('api').url as string
    const pid = Number(await (await fetch(`${url}/pid`)).text())
    timeline = startFaultTimeline(planFaults([{ at: 0, service: 'api', action: 'pause', for: '1h' }], ['api'], 7_200_000), { services, proxies: new Map() }, () => {})
    // Paused is the process stopped (state T), not merely slow to answer.
    await until(() => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('T') === true, 'the pause')
    await timeline.stop()
    expect(await answers(url)).toBe(true)
  })
})
