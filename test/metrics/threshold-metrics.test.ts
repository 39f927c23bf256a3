/**
 * Thresholds against the metrics they name: methods per type (k6's supportedAggregationMethods,
 * grafana/k6 metrics/metric_type.go), the built-in list kept in step with what the code records,
 * and unknown metrics named with the nearest known one.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { BUILTIN_METRICS, checkThresholdTypes, metricTypeCheck, unknownMetricThresholds } from '../../src/metrics/threshold-metrics.ts'
import { parseThresholds } from '../../src/metrics/thresholds.ts'
import { InvalidThresholdError } from '../../src/errors.ts'

const SRC = join(import.meta.dirname, '../../src')
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

describe('built-in metrics', () => {
  test('the list holds every metric the code records, with the type it records it as', () => {
    const recorded = new Map<string, string>()
    for (const file of sources(SRC)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\.(trend|counter|rate|gauge)\('([a-z_]+)'/g)) recorded.set(m[2] as string, m[1] as string)
    }
    expect(recorded.size).toBeGreaterThan(30)
    expect(Object.fromEntries(recorded)).toEqual(Object.fromEntries(Object.entries(BUILTIN_METRICS).filter(([n]) => recorded.has(n))))
    expect(Object.keys(BUILTIN_METRICS).filter((n) => !recorded.has(n))).toEqual([])
  })
})

describe('methods per metric type, before any load', () => {
  // k6: counter count/rate, gauge value, rate rate, trend avg/min/max/med/p(N); loadspec's gauges also keep min/max.
  test.each([
    ['http_reqs', ['count>1', 'rate>1'], ['avg<1', 'p(95)<1', 'value<1', 'med<1', 'min<1', 'max<1']],
    ['vus', ['value<1', 'min<1', 'max<1'], ['count<1', 'rate<1', 'avg<1', 'p(50)<1', 'med<1']],
    ['http_req_failed', ['rate<0.01'], ['count<1', 'value<1', 'avg<1', 'p(95)<1', 'min<1']],
    ['http_req_duration', ['avg<1', 'min<1', 'max<1', 'med<1', 'p(99.9)<1'], ['count<1', 'rate<1', 'value<1']],
  ])('%s accepts %j and rejects %j', (metric, fits, misfits) => {
    expect(() => checkThresholdTypes(parseThresholds({ [metric]: fits }))).not.toThrow()
    for (const m of misfits) {
      expect(() => checkThresholdTypes(parseThresholds({ [metric]: [m] })), m).toThrow(InvalidThresholdError)
      expect(() => checkThresholdTypes(parseThresholds({ [metric]: [m] })), m).toThrow(`Threshold "${m}" on "${metric}": ${metric} is a ${BUILTIN_METRICS[metric] as string}; use `)
    }
  })

  test('every misfit is listed in one error, tag filters included; custom metrics wait for their creation', () => {
    const parsed = parseThresholds({ 'http_req_failed{name:GET /x}': ['p(95)<1'], http_reqs: ['avg<1'], my_trend: ['count<1'] })
    expect(() => checkThresholdTypes(parsed)).toThrow('Invalid thresholds:\n  - Threshold "p(95)<1" on "http_req_failed{name:GET /x}": http_req_failed is a rate; use rate\n' +
      '  - Threshold "avg<1" on "http_reqs": http_reqs is a counter; use count, rate')
  })
})

describe('custom metrics, when a VU creates them', () => {
  const check = metricTypeCheck(parseThresholds({ my_latency: ['p(95)<100'], my_count: ['count<5'] }))
  test.each([
    ['my_latency', 'trend', null], ['my_count', 'counter', null], ['unrelated', 'gauge', null],
    ['my_latency', 'counter', 'Threshold "p(95)<100" on "my_latency": my_latency is a counter; use count, rate (my_latency was created as a counter during the run; the load was stopped)'],
    ['my_count', 'rate', 'Threshold "count<5" on "my_count": my_count is a rate; use rate (my_count was created as a rate during the run; the load was stopped)'],
  ] as const)('%s created as a %s → %s', (name, type, problem) => {
    expect(check?.(name, type)).toBe(problem)
  })
  test('no thresholds, no check to run', () => {
    expect(metricTypeCheck([])).toBeUndefined()
  })
})

describe('unknown metrics', () => {
  const problems = (thresholds: Record<string, string[]>, created: string[] = []) =>
    unknownMetricThresholds(parseThresholds(thresholds), created).map((u) => u.problem)

  test('a typo of a built-in names it and the metric meant', () => {
    expect(problems({ http_req_duraton: ['p(95)<200'] })).toEqual([
      'Threshold "p(95)<200" on "http_req_duraton": no metric "http_req_duraton" is built in or was created during the run, so this budget cannot be checked; ' +
      'did you mean "http_req_duration"? A custom metric exists once a VU calls metrics.trend/counter/rate/gauge(name), even before its first add()',
    ])
  })
  test.each([
    ['http_req_duartion', [], 'did you mean "http_req_duration"?'],
    ['htp_reqs{name:GET /x}', [], 'did you mean "http_reqs"?'],
    ['message_delivry', ['message_delivery'], 'did you mean "message_delivery"?'],
    ['zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', [], 'the nearest known metric is "'],
    ['http_req_tls_handshaking', [], '"http_req_tls_handshaking" is a k6 metric that loadspec does not record'],
  ])('%s (created: %j) → %s', (key, created, text) => {
    const p = problems({ [key]: ['count>0'] }, created)
    expect(p).toHaveLength(1)
    expect(p[0]).toContain(text)
  })
  test('built-in metrics and created ones are known, even with no samples', () => {
    expect(problems({ grpc_req_duration: ['p(95)<1'], message_delivery: ['p(95)<1'] }, ['message_delivery'])).toEqual([])
  })
})
