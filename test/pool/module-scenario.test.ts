import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { run } from '../../src/index.ts'
import { scenario } from '../../src/plugin/vitest/index.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'

const modulePath = fileURLToPath(new URL('./send-scenario.ts', import.meta.url))
let server: TestServer
beforeAll(async () => { server = await startServer((_req, res) => res.end('ok')) })
afterAll(async () => { await server.close() })

const fromModule = scenario('module: send', { executor: 'shared-iterations', vus: 4, iterations: 40 }, new URL('./send-scenario.ts', import.meta.url))

test('a scenario whose function is a module runs in workers', async () => {
  const before = server.received()
  const r = await fromModule.run({ workers: 2, data: { url: server.url } })
  expect(r.endpoint('POST /module').requests).toBe(40)
  expect(server.received() - before).toBe(40)
  expect(r.generator.workers.length).toBe(2)
})

test('the same module runs on the test\'s own thread with workers: 0', async () => {
  const r = await fromModule.run({ workers: 0, data: { url: server.url } })
  expect(r.endpoint('POST /module').requests).toBe(40)
})

test('run() without a test runner spreads a module scenario over workers', async () => {
  const r = await run({ name: 'runner-free', fn: modulePath, workers: 2, vus: 2, iterations: 10, data: { url: server.url } })
  expect(r.requests).toBe(10)
  expect(r.generator.workers.length).toBe(2)
})

test('run() with an inline function and workers says what to change', async () => {
  await expect(run({ fn: () => {}, workers: 2, iterations: 1 })).rejects.toThrow(/needs the VU function in a module \(fn: '.\/my-scenario.ts', default export\)/)
})

test('a module without a default VU function is a clear error', async () => {
  await expect(run({ fn: fileURLToPath(new URL('./not-a-function.ts', import.meta.url)), iterations: 1 })).rejects.toThrow(/must export a VU function as its default export/)
})
