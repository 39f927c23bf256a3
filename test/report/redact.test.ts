/** Redaction of credentials in text and in whole results. */
import { describe, expect, test } from 'vitest'
import { redactResult, redactText } from '../../src/report/redact.ts'
import { MetricsRegistry } from '../../src/metrics/registry.ts'

describe('redactText', () => {
  test.each([
    ['Authorization: Bearer abc.def.ghi', 'Authorization: [redacted]'],
    ['{"authorization":"Basic dXNlcjpwYXNz","a":1}', '{"authorization":"[redacted]","a":1}'],
    ['cookie: sid=123; theme=dark', 'cookie: [redacted]'],
    ['Set-Cookie=sid=1', 'Set-Cookie=[redacted]'],
    ['proxy-authorization: Digest xyz1234', 'proxy-authorization: [redacted]'],
    ['X-API-Key: k-123456', 'X-API-Key: [redacted]'],
    ['token Bearer eyJhbGciOi.eyJzdWIi.sig refused', 'token Bearer [redacted] refused'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected)
  })

  test('text without credentials is unchanged', () => {
    for (const s of ['503 Service Unavailable', 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1', 'authorized users: 3', '']) expect(redactText(s)).toBe(s)
  })
})

describe('redaction of recorded errors and results', () => {
  test('an error message is redacted where it is recorded, so no later copy holds the secret', () => {
    const reg = new MetricsRegistry()
    reg.error({ kind: 'exception', message: 'Error: login failed, Authorization: Bearer s3cret' })
    expect(reg.snapshot().errors.samples[0]?.message).toBe('Error: login failed, Authorization: [redacted]')
  })

  test('tags named like a credential header lose their value; other tags keep theirs', () => {
    const reg = new MetricsRegistry()
    reg.counter('http_reqs', { name: 'GET /x', cookie: 'sid=1' }).add(1)
    const data = redactResult({ version: 1, name: 'x', startTime: 0, durationMs: 1, metrics: reg.snapshot(), thresholds: [],
      aborted: { reason: 'error', message: 'worker said cookie: sid=1' } })
    expect(data.metrics.series[0]?.tags).toEqual({ name: 'GET /x', cookie: '[redacted]' })
    expect(data.aborted?.message).toBe('worker said cookie: [redacted]')
  })
})
