/**
 * The HTTP relay suite (k6 + Locust seed): ramping VUs with three user types and the seed's
 * thresholds, and the brief's constant-arrival-rate "send" scenario asserted with matchers.
 * `npm test` runs the `ci` profile (seconds); `npm run perf` the `full` one (the seed's 7 minutes).
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { perf, scenario } from '../src/plugin/vitest/index.ts'
import { startRelayServer } from '../examples/relay/server.ts'
import { rampingRelay, send as sendFn, sendAtRate, type RelayData } from './relay-load.ts'

let relay: Awaited<ReturnType<typeof startRelayServer>>
beforeAll(async () => { relay = await startRelayServer() })
afterAll(async () => { await relay.close() })

perf<RelayData>('relay: three user types under ramping load', rampingRelay(() => ({ baseUrl: relay.url })))

// The brief's scenario example: an open-model send at a fixed rate, asserted with matchers.
const send = scenario<RelayData>('relay: send at a constant arrival rate', sendAtRate, sendFn)

// A test's timeout must hold the scenario's schedule: 1 m of load + 30 s gracefulStop + 5 s to start
// (scenario.run() refuses a load that cannot fit, before it starts).
test('relay: send meets its budget at a constant arrival rate', async () => {
  const before = relay.stats()
  const result = await send.run({ data: { baseUrl: relay.url } })
  const planned = result.iterations.completed + result.iterations.dropped + result.iterations.interrupted
  expect(result).toHaveP95Below(200)
  expect(result).toHaveErrorRateBelow(0.01)
  expect(result.endpoint('POST /messages')).toHaveThroughputAbove(0.9 * (planned / (result.duration / 1000)))
  // What the tool counted is what the server received.
  const after = relay.stats()
  expect(result.endpoint('POST /messages').requests).toBe(countRoute(after, 'POST /messages') - countRoute(before, 'POST /messages'))
}, 100_000)

function countRoute(stats: ReturnType<typeof relay.stats>, route: string): number {
  return Object.values(stats.routes[route] ?? {}).reduce((a, n) => a + n, 0)
}
