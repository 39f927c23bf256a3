import { describe, expect, test } from 'vitest'
import { evaluateThresholds, formatThresholdOutcomes, parseThresholds, prepareThresholds } from '../../src/metrics/thresholds.ts'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { PerfResult } from '../../src/metrics/result.ts'
import { InvalidThresholdError } from '../../src/errors.ts'

/** A real result: 100 requests, latencies 1..100 ms, 5 failures on one endpoint. */
function sample(): PerfResult {
  const reg = new MetricsRegistry()
  for (let i = 1; i <= 100; i++) {
    const name = i % 2 ? 'GET /rooms/:id' : 'POST /messages'
    const status = i <= 5 ? '500' : '200'
    reg.trend('http_req_duration', { name, status }).add(i)
    reg.counter('http_reqs', { name, status }).add(1)
    reg.rate('http_req_failed', { name, status }).add(status === '500')
  }
  reg.gauge('vus').add(7)
  return new PerfResult({ version: 1, name: 't', startTime: 0, durationMs: 10_000, metrics: reg.snapshot(), thresholds: [] })
}

const eval1 = (key: string, expr: string, elapsedMs?: number) =>
  evaluateThresholds(parseThresholds({ [key]: [expr] }), sample(), elapsedMs === undefined ? {} : { elapsedMs })[0]

describe('thresholds', () => {
  test.each([
    // Percentiles by k6's rule over 1..100 ms: p(N) = 1 + N/100 · 99 (the nearest rank would say N, and med 50).
    ['http_req_duration', 'p(95)<95.2', true, 95.05], ['http_req_duration', 'p(95)<94.9', false, 95.05], ['http_req_duration', 'p(99.9) < 99.95', true, 99.901],
    ['http_req_duration', 'avg==50.5', true, 50.5], ['http_req_duration', 'med>50.1', true, 50.5], ['http_req_duration', 'min>1', false, 1],
    ['http_req_duration', 'max!=100', false, 100], ['http_reqs', 'count>=100', true, 100], ['http_reqs', 'rate>9.9', true, 10],
    ['http_req_failed', 'rate<0.05', false, 0.05], ['http_req_failed', 'rate<=0.05', true, 0.05], ['vus', 'value===7', true, 7],
    ['http_req_duration{name:POST /messages}', 'min>=2', true, 2], ['http_req_failed{name:GET /rooms/:id}', 'rate>0.05', true, 0.06],
    ['http_req_duration{name:GET /rooms/:id,status:500}', 'max<6', true, 5],
    // quotes around tag keys and values are stripped, as k6 does: the same series as {name:POST /messages}
    ['http_req_duration{name:"POST /messages"}', 'min>=2', true, 2], ["http_req_duration{'name':'POST /messages'}", 'min>=2', true, 2],
    ['http_req_duration{ name : "GET /rooms/:id" , status:"500" }', 'max<6', true, 5],
    // spaces around the method, the operator and the value are allowed
    ['http_req_duration', '  p(95)  <  95.2  ', true, 95], ['http_reqs', 'count >= 100', true, 100],
  ])('%s %s → ok=%s (actual %s)', (key, expr, ok, actual) => {
    const o = eval1(key, expr)
    expect(o?.ok).toBe(ok)
    // HDR keeps 3 significant digits: a percentile is within 0.1% of the sample it stands for.
    expect(Math.abs((o?.actual as number) - actual)).toBeLessThanOrEqual(actual * 0.001 + 1e-9)
  })

  test.each([
    ['p(95)<<500', /Threshold "p\(95\)<<500" on "http_req_duration": "<500" after < is not a number; expected <method> <op> <number>/],
    ['p95<500', /Threshold "p95<500"/], ['avg<', /Threshold "avg<"/], ['foo<1', /methods: avg, min, max, med, p\(N\)/],
    ['p(101)<5', /percentile 101 is out of range/], ['rate<abc', /Threshold "rate<abc"/],
    // case-sensitive as in k6, with the spelling to use
    ['AVG<200', /"AVG<200" on "http_req_duration": methods are lower case, as in k6; write avg/], ['P(95)<200', /write p\(95\)/],
    ['Count>1', /write count/], ['p( 95 )<200', /no spaces inside p\(…\); write p\(95\)/],
  ])('bad expression %s is one clear error', (expr, message) => {
    expect(() => parseThresholds({ http_req_duration: [expr] })).toThrow(InvalidThresholdError)
    expect(() => parseThresholds({ http_req_duration: [expr] })).toThrow(message)
  })

  test.each([
    ['http_req_duration{name:}', /"http_req_duration\{name:\}": tag filter "name:" has an empty value; write name:<value>/],
    ['http_req_duration{name:""}', /has an empty value/], ['http_req_duration{name: }', /has an empty value/],
    ['http_req_duration{:x}', /has no tag name/], ['http_req_duration{}', /empty tag filter/],
  ])('bad tag filter %s is one clear error', (key, message) => {
    expect(() => parseThresholds({ [key]: ['p(95)<1'] })).toThrow(InvalidThresholdError)
    expect(() => parseThresholds({ [key]: ['p(95)<1'] })).toThrow(message)
  })

  test('a bad key and several bad expressions come in one error', () => {
    expect(() => parseThresholds({ 'http_req_duration{name}': ['p(95)<1'], x: ['nope', 'p(50)<'] })).toThrow(/tag filter "name" must be tag:value[\s\S]*"nope"[\s\S]*"p\(50\)<"/)
  })

  test('a method that does not fit a built-in metric type names both, before any load', () => {
    expect(() => prepareThresholds({ http_req_failed: ['p(95)<1'] })).toThrow(InvalidThresholdError)
    expect(() => prepareThresholds({ http_req_failed: ['p(95)<1'] })).toThrow('Threshold "p(95)<1" on "http_req_failed": http_req_failed is a rate; use rate')
  })

  test('a result whose metric type does not fit (a file from elsewhere) fails the threshold with the reason, never passes it', () => {
    expect(eval1('http_req_failed', 'p(95)<1')).toMatchObject({ ok: false, actual: null, reason: 'Threshold "p(95)<1" on "http_req_failed": http_req_failed is a rate; use rate' })
  })

  test('no samples pass with a reason, as in k6', () => {
    const o = eval1('grpc_req_duration', 'p(95)<1')
    expect(o).toMatchObject({ ok: true, actual: null })
    expect(o?.reason).toMatch(/no samples/)
  })

  test('abortOnFail waits for delayAbortEval', () => {
    const parsed = parseThresholds({ http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '10s' }] })
    expect(evaluateThresholds(parsed, sample(), { elapsedMs: 9_000 })[0]?.shouldAbort).toBe(false)
    expect(evaluateThresholds(parsed, sample(), { elapsedMs: 10_000 })[0]?.shouldAbort).toBe(true)
  })

  test('outcomes format one line each', () => {
    const text = formatThresholdOutcomes(evaluateThresholds(parseThresholds({ http_req_duration: ['max<101', 'min>10'] }), sample()))
    expect(text).toBe('✓ http_req_duration max<101  (actual 100)\n✗ http_req_duration min>10  (actual 1)')
  })
})
