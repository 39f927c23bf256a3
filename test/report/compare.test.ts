/** compare: tolerances, the noise-aware verdict, and the CLI's output and exit codes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { PerfResult } from '../../src/metrics/result.ts'
import { compareResults } from '../../src/report/compare.ts'
import { main } from '../../src/cli/main.ts'

/** A result of `seconds` seconds; second s has `perSecond` requests at latency(s, i) ms, `failEvery`-th failing. */
function result(seconds: number, perSecond: number, latency: (s: number, i: number) => number, failEvery = 0): PerfResult {
  const reg = new MetricsRegistry()
  let n = 0
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < perSecond; i++) {
      const failed = failEvery > 0 && ++n % failEvery === 0
      const tags = { name: 'GET /x', status: failed ? '500' : '200' }
      reg.trend('http_req_duration', tags).add(latency(s, i))
      reg.counter('http_reqs', tags).add(1)
      reg.rate('http_req_failed', tags).add(failed)
    }
    reg.closeSecond()
  }
  return new PerfResult({ version: 1, name: 'x', startTime: 0, durationMs: seconds * 1000, metrics: reg.snapshot(), thresholds: [] })
}
const steady = (ms: number) => (_s: number, i: number) => ms + (i % 10) / 10
const verdicts = (c: ReturnType<typeof compareResults>) => Object.fromEntries(c.rows.filter((r) => r.scope === 'all').map((r) => [r.figure, r.verdict]))

describe('compareResults', () => {
  test('within tolerance is ok; beyond it, with steady data, is a regression or an improvement', () => {
    expect(verdicts(compareResults(result(10, 100, steady(10)), result(10, 100, steady(10.5))))).toEqual({ 'p95 (ms)': 'ok', 'error rate': 'ok', 'throughput (/s)': 'ok' })
    expect(verdicts(compareResults(result(10, 100, steady(10)), result(10, 100, steady(13)))) ['p95 (ms)']).toBe('regression')
    expect(verdicts(compareResults(result(10, 100, steady(13)), result(10, 100, steady(10)))) ['p95 (ms)']).toBe('improved')
    expect(verdicts(compareResults(result(10, 100, steady(10)), result(10, 80, steady(10)))) ['throughput (/s)']).toBe('regression')
    expect(verdicts(compareResults(result(10, 100, steady(10)), result(10, 100, steady(10), 20))) ['error rate']).toBe('regression')
  })

  test('a difference beyond tolerance but inside the runs\' own noise is inconclusive, not a failure', () => {
    // p95 swings between ~10 and ~40 ms from one second to the next in both runs
    const noisy = (shift: number) => (s: number, i: number) => (s % 2 ? 40 : 10) * shift + (i % 10) / 10
    const c = compareResults(result(6, 100, noisy(1)), result(6, 100, noisy(1.15)))
    expect(verdicts(c)['p95 (ms)']).toBe('inconclusive')
    expect(c.inconclusive).toBeGreaterThan(0)
    expect(c.regressions).toBe(0)
  })

  test('custom tolerances apply', () => {
    expect(verdicts(compareResults(result(10, 100, steady(10)), result(10, 100, steady(13)), { p95: 0.5 }))['p95 (ms)']).toBe('ok')
  })
})

describe('loadspec compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadspec-compare-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const file = (name: string, r: PerfResult) => { const p = join(dir, name); writeFileSync(p, JSON.stringify(r.toJSON())); return p }
  const capture = () => { const out: string[] = []; const err: string[] = []; return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err } }

  test('exit 0 and a table when nothing regressed', async () => {
    const c = capture()
    expect(await main(['compare', file('a.json', result(10, 100, steady(10))), file('b.json', result(10, 100, steady(10.2)))], c.io)).toBe(0)
    expect(c.out.join('\n')).toMatch(/scope\s+figure\s+base\s+head\s+change\s+verdict/)
    expect(c.out.join('\n')).toMatch(/0 regressions, 0 inconclusive/)
  })

  test('exit 1 on a regression; --markdown prints a Markdown table', async () => {
    const c = capture()
    expect(await main(['compare', file('a.json', result(10, 100, steady(10))), file('c.json', result(10, 100, steady(20))), '--markdown'], c.io)).toBe(1)
    expect(c.out.join('\n')).toMatch(/\| all \| p95 \(ms\) \| 10\.\d\d \| 20\.\d\d \| \+9\d\.\d% \| ✗ regression \|/)
  })

  test('exit 2 with a clear message for a file that is not a result, or a bad option', async () => {
    const notResult = join(dir, 'x.json')
    writeFileSync(notResult, '{"hello": 1}')
    const c = capture()
    expect(await main(['compare', notResult, notResult], c.io)).toBe(2)
    expect(c.err.join('\n')).toMatch(/not a loadspec result/)
    expect(await main(['compare', file('a.json', result(3, 10, steady(1))), file('a.json', result(3, 10, steady(1))), '--p95', 'lots'], c.io)).toBe(2)
    expect(c.err.join('\n')).toMatch(/--p95: "lots" is not a number ≥ 0/)
    expect(await main(['nope'], c.io)).toBe(2)
  })
})
