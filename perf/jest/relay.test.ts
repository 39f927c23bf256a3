/**
 * The HTTP relay suite under Jest (`npm run test:jest`, its `ci` profile): the same load as
 * perf/relay.perf.ts — ramping VUs with three weighted user types and the seed's thresholds, and
 * the constant-arrival-rate "send" scenario asserted with matchers — written as a Jest user writes
 * it, with `loadspec/jest` and `@jest/globals`.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { perf, scenario } from 'loadspec/jest'
import { startRelayServer } from '../../examples/relay/server.ts'
import { rampingRelay, send as sendFn, sendAtRate, type RelayData } from '../relay-load.ts'

let relay: Awaited<ReturnType<typeof startRelayServer>>
beforeAll(async () => { relay = await startRelayServer() })
afterAll(async () => { await relay.close() })

perf<RelayData>('relay (jest): three user types under ramping load', rampingRelay(() => ({ baseUrl: relay.url })))

const send = scenario<RelayData>('relay (jest): send at a constant arrival rate', sendAtRate, sendFn)

test('relay (jest): send meets its budget at a constant arrival rate', async () => {
  const result = await send.run({ data: { baseUrl: relay.url } })
  const planned = result.iterations.completed + result.iterations.dropped + result.iterations.interrupted
  expect(result).toHaveP95Below(200)
  expect(result).toHaveErrorRateBelow(0.01)
  expect(result.endpoint('POST /messages')).toHaveThroughputAbove(0.9 * (planned / (result.duration / 1000)))
}, 60_000)
