/**
 * `loadspec run` and `loadspec merge` as a user calls them (the CLI's main(), exit code and
 * output): k6-shaped modules, k6's exit codes, segments that add up to exactly the whole, and a
 * merge that judges thresholds on the whole and refuses what is not one load.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { main } from '../../src/cli/main.ts'
import type { ResultData } from '../../src/index.ts'
import { PerfResult } from '../../src/index.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/cli/${name}`, import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'loadspec-cli-'))

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await main([...argv, ...(argv[0] === 'run' ? ['--quiet'] : [])], { out: (t) => { out += t + '\n' }, err: (t) => { err += t + '\n' } })
  return { code, out, err }
}

const read = (path: string): ResultData => JSON.parse(readFileSync(path, 'utf8')) as ResultData

describe('loadspec run', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer((_req, res) => res.end('hi'))
    process.env['LOADSPEC_TEST_TARGET'] = server.url
  })
  afterAll(async () => {
    delete process.env['LOADSPEC_TEST_TARGET']
    await server.close()
  })

  test('a k6-shaped module: options, setup/teardown exports, --out and k6 --summary-export', async () => {
    const json = join(tmp, 'http.json')
    const summary = join(tmp, 'summary.json')
    const { code, out } = await cli('run', fixture('http.k6.ts'), '--out', `json=${json},csv=${join(tmp, 'http')}`, '--summary-export', summary)
    expect(code).toBe(0)
    expect(out).toMatch(/GET \/hello\s+20/)
    const result = new PerfResult(read(json))
    expect(result.requests).toBe(20)
    expect(result.thresholdsPassed).toBe(true)
    expect(readFileSync(join(tmp, 'http_stats.csv'), 'utf8')).toMatch(/^Type,Name,Request Count/)
    const k6 = JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, Record<string, unknown>> }
    expect(k6.metrics['http_reqs']).toMatchObject({ count: 20 })
    expect(k6.metrics['http_req_failed']).toMatchObject({ passes: 0, fails: 20, value: 0, thresholds: { 'rate<0.01': false } })
    expect(k6.metrics['http_req_duration{name:GET /hello}']).toEqual({ thresholds: { 'p(95)<60000': false } })
    expect(Object.keys(k6.metrics['http_req_duration'] ?? {})).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'])
  })

  test('shortcut flags replace the load shape, and a breached threshold exits 99 as k6 does', async () => {
    const { code, out } = await cli('run', fixture('shards.k6.ts'), '--vus', '3', '--iterations', '40')
    expect(code).toBe(99)
    expect(out).toMatch(/✗ iterations count<30 {2}\(actual 40\)/)
  })

  test("a test file's perf() blocks, picked by --grep, in a worker as under the runner; its tests do not run", async () => {
    const json = join(tmp, 'blocks.json')
    const one = await cli('run', fixture('blocks.perf.ts'), '--grep', 'counts', '--out', `json=${json}`)
    expect(one.code).toBe(0)
    const r = new PerfResult(read(json))
    expect([r.name, r.counter('ticks')?.count, r.generator.workers.length]).toEqual(['cli: counts to ten', 10, 1])
    const both = await cli('run', fixture('blocks.perf.ts'))
    expect(both.out).toMatch(/cli: counts to ten[\s\S]*cli: breaches/)
    expect(both.code).toBe(99)
    expect((await cli('run', fixture('blocks.perf.ts'), '--grep', 'nothing')).err).toMatch(/no perf block matches --grep "nothing"/)
  })

  test.each([
    [['--vus', 'x'], /--vus: "x" is not a whole number ≥ 1/],
    [['--duration', 'soon'], /--duration: "soon" is not a duration/],
    [['--rate', '10'], /--rate needs --duration/],
    [['--out', 'pdf=x.pdf'], /--out: "pdf=x.pdf": unknown output "pdf"/],
    [['--vu', '3'], /Unknown option `--vu`/],
    [['--segment', '5/4'], /segment: "5\/4" is not a segment/],
    [['--execution-segment', '1/2:1/4'], /0 ≤ FROM < TO ≤ 1/],
    [['--start-at', 'tomorrow'], /--start-at: "tomorrow" is not a time/],
  ])('bad flag %j: one clear error naming it, exit 104', async (flags, message) => {
    const { code, err } = await cli('run', fixture('shards.k6.ts'), ...flags)
    expect(err).toMatch(message)
    expect(code).toBe(104)
  })
})

describe('segments over several runs, merged', () => {
  const shardFiles = [1, 2, 3, 4].map((i) => join(tmp, `shard-${i}.json`))
  const wholeFile = join(tmp, 'whole.json')

  beforeAll(async () => {
    for (const [i, file] of shardFiles.entries()) {
      // Each quarter passes its own threshold (10 iterations < 30).
      expect((await cli('run', fixture('shards.k6.ts'), '--segment', `${i + 1}/4`, '--out', `json=${file}`)).code).toBe(0)
    }
    expect((await cli('run', fixture('shards.k6.ts'), '--out', `json=${wholeFile}`)).code).toBe(99)
  })

  test('the shards make exactly the whole: iterations, VUs and every known sample', () => {
    const shards = shardFiles.map((f) => new PerfResult(read(f)))
    const whole = new PerfResult(read(wholeFile))
    expect(shards.map((s) => s.iterations.completed)).toEqual([10, 10, 10, 10])
    expect(shardFiles.map((f) => read(f).segment?.label)).toEqual(['1/4', '2/4', '3/4', '4/4'])
    expect(read(wholeFile).segment).toBeUndefined()
    const known = (r: PerfResult) => r.trend('known')
    expect(shards.reduce((a, s) => a + (known(s)?.count ?? 0), 0)).toBe(known(whole)?.count)
  })

  test('merge: the merged whole equals the single run over the same samples, and its breached threshold exits 99', async () => {
    const merged = join(tmp, 'merged.json')
    const md = join(tmp, 'merged.md')
    const { code, out } = await cli('merge', ...shardFiles, '--out', `json=${merged},markdown=${md},html=${join(tmp, 'merged.html')}`)
    expect(out).toMatch(/merged 4 shards/)
    expect(out).toMatch(/✗ iterations count<30 {2}\(actual 40\)/)
    expect(code).toBe(99)
    const m = new PerfResult(read(merged))
    const whole = new PerfResult(read(wholeFile))
    expect(m.iterations.completed).toBe(40)
    expect(m.trend('known')).toEqual(whole.trend('known'))
    expect(m.thresholds).toEqual([{ key: 'iterations', source: 'count<30', ok: false, actual: 40 }])
    expect(read(merged).segment).toBeUndefined()
    expect(readFileSync(md, 'utf8')).toMatch(/iterations/)
  })

  test.each([
    ['a missing shard', () => shardFiles.slice(0, 3), /do not make up the whole load: 1 of every 4 indices belong to no segment; missing: 4\/4/],
    ['a shard given twice', () => [...shardFiles.slice(0, 3), shardFiles[0] as string], /more than one segment.*given twice: 1\/4/],
    ['a whole run beside shards', () => [...shardFiles, wholeFile], /belong to more than one segment/],
    ['another loadspec version', () => [...shardFiles.slice(0, 3), rewrite(shardFiles[3] as string, { loadspec: '0.0.1' })], /was written by loadspec 0\.0\.1/],
    ['another plan', () => [...shardFiles.slice(0, 3), rewrite(shardFiles[3] as string, { fingerprint: 'ffffffffffffffff' })], /is not a shard of the same load/],
    ['a file that is not a result', () => [...shardFiles.slice(0, 3), writeText('nope.json', '{"hello":1}')], /is not a loadspec result/],
  ])('merge refuses %s (exit 104)', async (_what, files, message) => {
    const { code, err } = await cli('merge', ...files())
    expect(err).toMatch(message)
    expect(code).toBe(104)
  })
})

function rewrite(file: string, patch: Partial<ResultData>): string {
  return writeText(`patched-${Object.keys(patch).join('-')}.json`, JSON.stringify({ ...read(file), ...patch }))
}

function writeText(name: string, text: string): string {
  const path = join(tmp, name)
  writeFileSync(path, text)
  return path
}
