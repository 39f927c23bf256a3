/**
 * The threshold grammar against k6's own test tables, ported row by row:
 * grafana/k6 metrics/thresholds_parser_test.go (TestParseThresholdExpression,
 * TestParseThresholdAggregationMethod, TestScanThresholdExpression) and metrics/metric_test.go
 * (TestParseMetricName). A row k6 expects to fail must fail here, and a row it parses must give
 * the same parts.
 */
import { describe, expect, test } from 'vitest'
import { parseExpression, parseMethod, parseMetricKey, scanExpression } from '../../src/metrics/threshold-parser.ts'

describe('TestParseThresholdExpression (metrics/thresholds_parser_test.go)', () => {
  test.each([
    ['unknown expression\'s operator fails', 'count!20', null],
    ['unknown expression\'s method fails', 'foo>20', null],
    ['non numerical expression\'s value fails', 'count>abc', null],
    ['valid threshold expression syntax', 'count>20', { method: 'count', op: '>', bound: 20 }],
  ] as const)('%s: %s', (_name, input, want) => {
    const got = parseExpression(input)
    if (want === null) expect(got.ok).toBe(false)
    else expect(got).toEqual({ ok: true, value: want })
  })
})

describe('TestParseThresholdAggregationMethod (metrics/thresholds_parser_test.go)', () => {
  test.each([
    ['count method is parsed', 'count', 'count', undefined],
    ['rate method is parsed', 'rate', 'rate', undefined],
    ['value method is parsed', 'value', 'value', undefined],
    ['avg method is parsed', 'avg', 'avg', undefined],
    ['min method is parsed', 'min', 'min', undefined],
    ['max method is parsed', 'max', 'max', undefined],
    ['med method is parsed', 'med', 'med', undefined],
    ['percentile method with integer value is parsed', 'p(99)', 'p', 99],
    ['percentile method with floating point value is parsed', 'p(99.9)', 'p', 99.9],
    ['percentile method with zero value is parsed', 'p(0)', 'p', 0],
    ['percentile method with 100 value is parsed', 'p(100)', 'p', 100],
  ] as const)('%s: %s', (_name, input, method, percentile) => {
    expect(parseMethod(input)).toEqual({ ok: true, value: percentile === undefined ? { method } : { method, percentile } })
  })

  test.each([
    ['parsing invalid method fails', 'foo'],
    ['parsing empty percentile expression fails', 'p()'],
    ['parsing incomplete percentile expression fails', 'p(99'],
    ['parsing non-numerical percentile value fails', 'p(foo)'],
    ['parsing negative percentile value fails', 'p(-1)'],
    ['parsing percentile value greater than 100 fails', 'p(101)'],
    ['parsing NaN percentile value fails', 'p(NaN)'],
    ['parsing infinite percentile value fails', 'p(+Inf)'],
  ])('%s: %s', (_name, input) => {
    expect(parseMethod(input).ok).toBe(false)
  })
})

describe('TestScanThresholdExpression (metrics/thresholds_parser_test.go)', () => {
  test.each([
    ['expression with <= operator is scanned', 'foo<=bar', 'foo', '<=', 'bar'],
    ['expression with < operator is scanned', 'foo<bar', 'foo', '<', 'bar'],
    ['expression with >= operator is scanned', 'foo>=bar', 'foo', '>=', 'bar'],
    ['expression with > operator is scanned', 'foo>bar', 'foo', '>', 'bar'],
    ['expression with === operator is scanned', 'foo===bar', 'foo', '===', 'bar'],
    ['expression with == operator is scanned', 'foo==bar', 'foo', '==', 'bar'],
    ['expression with != operator is scanned', 'foo!=bar', 'foo', '!=', 'bar'],
    ['expression\'s method is trimmed', '  foo  <=bar', 'foo', '<=', 'bar'],
    ['expression\'s value is trimmed', 'foo<=  bar  ', 'foo', '<=', 'bar'],
  ])('%s: %j', (_name, input, method, op, value) => {
    expect(scanExpression(input)).toEqual({ ok: true, value: { method, op, value } })
  })

  test('expression with unknown operator fails: foo!bar', () => {
    expect(scanExpression('foo!bar').ok).toBe(false)
  })
})

describe('TestParseMetricName (metrics/metric_test.go)', () => {
  test.each([
    ['metric name without tags', 'test_metric', 'test_metric', {}],
    ['metric name with single tag', 'test_metric{abc:123}', 'test_metric', { abc: '123' }],
    ['metric name with multiple tags', 'test_metric{abc:123,easyas:doremi}', 'test_metric', { abc: '123', easyas: 'doremi' }],
    ['metric name with multiple spaced tags', 'test_metric{abc:123, easyas:doremi}', 'test_metric', { abc: '123', easyas: 'doremi' }],
    ['metric name with group tag', 'test_metric{group:::mygroup}', 'test_metric', { group: '::mygroup' }],
    ['metric name with valid name and repeated curly braces tokens in tags definition', 'http_req_duration{name:http://${}.com}', 'http_req_duration',
      { name: 'http://${}.com' }],
    ['metric name with valid name and repeated curly braces and colon tokens in tags definition',
      'http_req_duration{name:http://${}.com,url:ssh://github.com:grafana/k6}', 'http_req_duration', { name: 'http://${}.com', url: 'ssh://github.com:grafana/k6' }],
  ])('%s: %s', (_name, input, metric, tags) => {
    expect(parseMetricKey(input)).toEqual({ ok: true, value: { metric, tags } })
  })

  test.each([
    ['metric name with tag definition missing `:value`', 'test_metric{easyas}'],
    ['metric name with tag definition missing value', 'test_metric{easyas:}'],
    ['metric name with mixed valid and invalid tag definitions', 'test_metric{abc:123,easyas:}'],
    ['metric name with valid name and unmatched opening tags definition token', 'test_metric{abc:123,easyas:doremi'],
    ['metric name with valid name and unmatched closing tags definition token', 'test_metricabc:123,easyas:doremi}'],
    ['metric name with valid name and invalid starting tags definition token', 'test_metric}abc:123,easyas:doremi}'],
    ['metric name with valid name and invalid curly braces in tags definition', 'test_metric}abc{bar'],
    ['metric name with valid name and trailing characters after closing curly brace in tags definition', 'test_metric{foo:ba}r'],
  ])('%s: %s', (_name, input) => {
    expect(parseMetricKey(input).ok).toBe(false)
  })
})

describe('beyond the k6 tables: the rules the brief states', () => {
  test.each(['AVG<200', 'P(95)<200', 'Count>1', 'p( 95 )<200', 'p(95 )<200', 'Med<1'])('%s is an error (case and spacing as in k6)', (input) => {
    expect(parseExpression(input).ok).toBe(false)
  })
  test.each([
    ['  avg  <  200  ', { method: 'avg', op: '<', bound: 200 }],
    ['p(99.9)<=1.5e3', { method: 'p', percentile: 99.9, op: '<=', bound: 1500 }],
    ['value === 7', { method: 'value', op: '===', bound: 7 }],
    ['rate != 0', { method: 'rate', op: '!=', bound: 0 }],
  ] as const)('%j parses', (input, value) => {
    expect(parseExpression(input)).toEqual({ ok: true, value })
  })
  test('quotes around tag keys and values are stripped, as k6 strips them for submetrics', () => {
    expect(parseMetricKey('http_req_duration{"name":"POST /x", \'status\':\'201\'}')).toEqual({ ok: true, value: { metric: 'http_req_duration', tags: { name: 'POST /x', status: '201' } } })
  })
})
