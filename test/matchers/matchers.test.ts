import { beforeAll, describe, expect, test } from 'vitest'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { PerfResult } from '../../src/metrics/result.ts'
import { evaluateThresholds, parseThresholds, type ThresholdSpec } from '../../src/metrics/thresholds.ts'
import { registerMatchers } from '../../src/plugin/vitest/register.ts'

/** 100 requests over 10 s: latencies 1..100 ms, 3 failures on POST /messages. */
function result(): PerfResult {
  const reg = new MetricsRegistry()
  for (let i = 1; i <= 100; i++) {
    const name = i <= 50 ? 'GET /health' : 'POST /messages'
    const failed = i > 97
    const tags = { name, status: failed ? '500' : '200' }
    reg.trend('http_req_duration', tags).add(i)
    reg.counter('http_reqs', tags).add(1)
    reg.rate('http_req_failed', tags).add(failed)
    if (failed) reg.error({ kind: '5xx', status: 500, message: '500 Internal Server Error', endpoint: name })
  }
  return new PerfResult({ version: 1, name: 'relay', startTime: 0, durationMs: 10_000, metrics: reg.snapshot(),
    thresholds: [{ key: 'http_req_duration', source: 'p(95)<50', ok: false, actual: 95 }, { key: 'http_req_failed', source: 'rate<0.1', ok: true, actual: 0.03 }] })
}

/** The same run with its thresholds evaluated on what it recorded, as a run evaluates them. */
function judged(thresholds: Record<string, ThresholdSpec[]>): PerfResult {
  const data = result().toJSON()
  const outcomes = evaluateThresholds(parseThresholds(thresholds), new PerfResult({ ...data, thresholds: [] }))
  return new PerfResult({ ...data, thresholds: outcomes.map(({ key, source, ok, actual }) => ({ key, source, ok, actual })) })
}

function failure(fn: () => void): string {
  try { fn() } catch (err) { return (err as Error).message }
  throw new Error('expected the assertion to fail')
}

describe('matchers', () => {
  beforeAll(() => registerMatchers())
  const r = result()

  test('latency matchers pass, pass with .not, and fail with expected, received and the percentile table', () => {
    expect(r).toHaveP95Below(96)
    expect(r).not.toHaveP95Below(90)
    expect(r).toHaveP50Below(51)
    expect(r).toHaveP90Below(91)
    expect(r).toHaveP99Below(100.1)
    expect(r).toHavePercentileBelow(99.9, 100.1)
    expect(r).toHaveMeanBelow(51)
    expect(r).toHaveMaxBelow(101)
    // k6's percentiles of 1..100 ms (p95 = 95.05, p99 = 99.01), read from HDR buckets 32–64 µs wide.
    const msg = failure(() => expect(r).toHaveP95Below(50))
    expect(msg).toBe([
      'expect(received).toHaveP95Below(expected) failed — relay',
      '',
      'Expected: p95 < 50.00 ms',
      'Received: p95 = 95.06 ms',
      '',
      'http_req_duration (ms):',
      '  count   min   mean    p50    p90    p95    p99  p99.9    max',
      '    100  1.00  50.50  50.50  90.11  95.06  98.99  99.90  100.0',
    ].join('\n'))
    expect(failure(() => expect(r).not.toHaveP95Below(200))).toMatch(/^expect\(received\)\.not\.toHaveP95Below\(expected\) failed — relay\n\nExpected: not p95 < 200\.0 ms\nReceived: p95 = 95\.06 ms/)
  })

  test('a view narrows the matcher to one endpoint', () => {
    expect(r.endpoint('GET /health')).toHaveMaxBelow(50.1)
    expect(failure(() => expect(r.endpoint('GET /health')).toHaveMaxBelow(10))).toMatch(/failed — relay › endpoint "GET \/health"\n\nExpected: max < 10\.00 ms\nReceived: max = 50\.00 ms/)
  })

  test('error rate and throughput', () => {
    expect(r).toHaveErrorRateBelow(0.031)
    expect(r).not.toHaveErrorRateBelow(0.03)
    expect(r.endpoint('GET /health')).toHaveErrorRateBelow(0.0001)
    expect(failure(() => expect(r).toHaveErrorRateBelow(0.01))).toMatch(/Expected: error rate < 1\.00%\nReceived: error rate = 3\.00% of 100 requests\n\nerrors by kind: 5xx 3/)
    expect(r).toHaveThroughputAbove(9.9)
    expect(r).not.toHaveThroughputAbove(10)
    expect(failure(() => expect(r.endpoint('POST /messages')).toHaveThroughputAbove(10))).toMatch(/Expected: throughput > 10 req\/s\nReceived: throughput = 5\.0 req\/s \(50 requests\)/)
  })

  test('toPassThresholds passes when every threshold passed, and .not then fails with the list', () => {
    const passing = judged({ http_req_duration: ['p(95)<200', 'max<=100'], http_req_failed: ['rate<0.05'] })
    expect(passing.thresholds.map((t) => t.ok)).toEqual([true, true, true])
    expect(passing).toPassThresholds()
    expect(failure(() => expect(passing).not.toPassThresholds())).toBe([
      'expect(received).not.toPassThresholds(expected) failed — relay',
      '',
      'Expected: not every threshold to pass',
      'Received: 0 of 3 failed',
      '',
      '✓ http_req_duration p(95)<200  (actual 95.059)',
      '✓ http_req_duration max<=100  (actual 100)',
      '✓ http_req_failed rate<0.05  (actual 0.03)',
    ].join('\n'))
  })

  test('toPassThresholds fails with every threshold listed, and passes with .not', () => {
    expect(failure(() => expect(r).toPassThresholds())).toBe([
      'expect(received).toPassThresholds(expected) failed — relay',
      '',
      'Expected: every threshold to pass',
      'Received: 1 of 2 failed',
      '',
      '✗ http_req_duration p(95)<50  (actual 95)',
      '✓ http_req_failed rate<0.1  (actual 0.03)',
    ].join('\n'))
    expect(r).not.toPassThresholds()
  })

  test('toPassThresholds on a run without thresholds is an error, not a pass', () => {
    const none = judged({})
    expect(() => expect(none).toPassThresholds()).toThrow('toPassThresholds: relay has no thresholds to pass; give its options thresholds')
    expect(() => expect(none).not.toPassThresholds()).toThrow(/has no thresholds to pass/)
    expect(() => expect(r.endpoint('GET /health')).toPassThresholds()).toThrow(/expected a whole PerfResult \(thresholds belong to the run, not to a view\)/)
  })

  test('an endpoint that recorded nothing fails every matcher by name, with or without .not', () => {
    const nope = r.endpoint('GET /nope')
    const named = 'relay › endpoint "GET /nope" recorded no requests (no http_reqs, grpc_reqs or iterations samples); an endpoint is named by its requests\' name tag'
    expect(() => expect(nope).toHaveErrorRateBelow(0.5)).toThrow(`toHaveErrorRateBelow: ${named}`)
    expect(() => expect(nope).not.toHaveErrorRateBelow(0.5)).toThrow(`toHaveErrorRateBelow: ${named}`)
    expect(() => expect(nope).toHaveThroughputAbove(0)).toThrow(`toHaveThroughputAbove: ${named}`)
    expect(() => expect(nope).not.toHaveThroughputAbove(10)).toThrow(`toHaveThroughputAbove: ${named}`)
    expect(() => expect(nope).toHaveP95Below(5)).toThrow('toHaveP95Below: relay › endpoint "GET /nope" recorded no latency (no http_req_duration, grpc_req_duration or iteration_duration samples); an endpoint is named')
    expect(() => expect(nope).not.toHaveMaxBelow(5)).toThrow(/toHaveMaxBelow: relay › endpoint "GET \/nope" recorded no latency/)
    // narrowing composes, and the label says which narrowing came up empty
    expect(() => expect(r.scenario('heavy').endpoint('GET /health')).toHaveErrorRateBelow(0.5)).toThrow('toHaveErrorRateBelow: relay › scenario "heavy" › endpoint "GET /health" recorded no requests')
    expect(() => expect(r.scenario('heavy')).toHaveThroughputAbove(1)).toThrow(/relay › scenario "heavy" recorded no requests \(no http_reqs, grpc_reqs or iterations samples\)$/)
  })

  test('toHaveHealthyGenerator without generator readings is an error, not a pass', () => {
    expect(() => expect(r).toHaveHealthyGenerator()).toThrow('toHaveHealthyGenerator: relay holds no generator readings, so its health is unknown')
  })

  test('wrong receivers and bounds are clear errors', () => {
    expect(() => expect({ p95: 3 }).toHaveP95Below(5)).toThrow(/toHaveP95Below: expected a PerfResult or a metric view \(result\.endpoint\(name\), result\.scenario\(name\)\); received object/)
    expect(() => expect(r).toHaveErrorRateBelow(2)).toThrow(/toHaveErrorRateBelow: the rate must be a number from 0 to 1; received 2/)
    expect(() => expect(r).toHavePercentileBelow(101, 5)).toThrow(/the percentile must be a number from 0 to 100/)
  })
})
