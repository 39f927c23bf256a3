/**
 * End to end: runs Vitest on a fixture file with the loadspec plugin and reads its exit code and
 * output, as a user would see them.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const vitestBin = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url))

const reports = mkdtempSync(join(tmpdir(), 'loadspec-reports-'))
const stepSummary = join(reports, 'step-summary.md')

const COLORLESS = { NO_COLOR: '1', FORCE_COLOR: '0' }

/** Runs Vitest on a fixture, its output piped to us; `colors` replaces NO_COLOR / FORCE_COLOR (unset when absent). */
function runVitest(config: string, { colors = COLORLESS as Record<string, string>, args = [] as string[], reportsTo = true } = {}): Promise<{ code: number; out: string }> {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', LOADSPEC_PROFILE: '', FIXTURE_PROGRESS: '1', ...colors,
    ...(reportsTo ? { FIXTURE_REPORT_DIR: join(reports, 'out'), GITHUB_STEP_SUMMARY: stepSummary } : {}) }
  for (const k of ['NO_COLOR', 'FORCE_COLOR']) if (!(k in colors)) delete env[k]
  if (!reportsTo) { delete env['FIXTURE_REPORT_DIR']; delete env['GITHUB_STEP_SUMMARY'] }
  return new Promise((resolve) => {
    execFile(process.execPath, [vitestBin, 'run', '--config', config, '--reporter', 'default', ...args], { cwd: root, env, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
}

/** Vitest's report of one failed test: from its FAIL line to the next separator. */
function failure(out: string, title: string): string {
  const start = out.indexOf(`FAIL  budget.perf.ts > ${title}`)
  expect(start, out).toBeGreaterThanOrEqual(0)
  return out.slice(start, out.indexOf('⎯⎯⎯', start))
}
/** The first stack location Vitest shows (`❯ file:line:col`), which it prints the code frame of. */
const firstLocation = (section: string) => /^ ❯ (?:\S+ )?(\S+:\d+:\d+)$/m.exec(section)?.[1]
/** `budget.perf.ts:<line>:<column>` of `at` on the first line of the fixture that starts with `start`. */
const fixture = readFileSync(join(root, 'test/fixtures/thresholds/budget.perf.ts'), 'utf8').split('\n')
function fixtureAt(start: string, at = start): string {
  const line = fixture.findIndex((l) => l.trimStart().startsWith(start))
  expect(line, start).toBeGreaterThanOrEqual(0)
  return `budget.perf.ts:${line + 1}:${(fixture[line] as string).indexOf(at) + 1}`
}

describe('the Vitest plugin on a fixture suite', () => {
  let run: { code: number; out: string }
  beforeAll(async () => { run = await runVitest('test/fixtures/thresholds/vitest.config.ts') }, 150_000)

  test('a breached threshold fails the run with a readable message', () => {
    expect(run.code).toBe(1)
    expect(run.out).toMatch(/Thresholds breached in perf "slow endpoint beyond budget"/)
    const actual = /✗ http_req_duration p\(95\)<5 {2}\(actual (\d+\.\d+)\)/.exec(run.out)
    expect(actual, run.out).not.toBeNull()
    // the fixture server answers /slow after 20 ms (timers may fire up to ~1 ms early)
    expect(Number(actual?.[1])).toBeGreaterThanOrEqual(19)
  })

  test('the block within budget passes', () => {
    expect(run.out).toMatch(/✓ .*fast endpoint within budget/)
    expect(run.out).toMatch(/Tests +4 failed \| 2 passed \(6\)/)
  })

  test('a failing block or scenario run points at the user\'s perf() / .run() line, not at loadspec', () => {
    const breached = failure(run.out, 'slow endpoint beyond budget')
    const at = fixtureAt("perf('slow endpoint beyond budget'")
    expect(firstLocation(breached), breached).toBe(at)
    expect(breached).toMatch(new RegExp(`^ +${at.split(':')[1]}\\| perf\\('slow endpoint beyond budget', \\{$`, 'm'))
    expect(firstLocation(failure(run.out, 'bad options fail only their own block'))).toBe(fixtureAt("perf('bad options"))
    const setup = failure(run.out, 'a failing scenario run points at its run() call')
    expect(setup).toMatch(/^SetupError: setup\(\) of "scenario whose setup throws" threw: no database$/m)
    expect(firstLocation(setup), setup).toBe(fixtureAt('await broken.run()', 'run()'))
  })

  test('a matcher failure shows expected vs actual and the percentile table', () => {
    expect(run.out).toMatch(/expect\(received\)\.toHaveP95Below\(expected\) failed — slow scenario/)
    expect(run.out).toMatch(/Expected: p95 < 5\.00 ms/)
    const received = /Received: p95 = (\d+\.\d\d) ms/.exec(run.out)
    expect(Number(received?.[1])).toBeGreaterThanOrEqual(19)
    expect(run.out).toMatch(/count\s+min\s+mean\s+p50\s+p90\s+p95\s+p99\s+p99\.9\s+max/)
  })

  test('bad options fail their own block with the option named', () => {
    expect(run.out).toMatch(/executor: "constant-vu" is not an executor/)
  })

  test('each perf run writes its JSON result and Locust CSV files to the report directory', () => {
    const files = readdirSync(join(reports, 'out')).sort()
    expect(files).toEqual(expect.arrayContaining(['fast-endpoint-within-budget.json', 'fast-endpoint-within-budget_stats.csv',
      'fast-endpoint-within-budget_stats_history.csv', 'fast-endpoint-within-budget_failures.csv', 'fast-endpoint-within-budget_exceptions.csv',
      'slow-endpoint-beyond-budget.json', 'slow-scenario.json']))
    const json = JSON.parse(readFileSync(join(reports, 'out', 'fast-endpoint-within-budget.json'), 'utf8')) as { name: string; version: number; thresholds: unknown[] }
    expect(json).toMatchObject({ name: 'fast endpoint within budget', version: 1 })
    expect(json.thresholds).toHaveLength(2)
  })

  test('a VU exception thrown in a worker is in the block\'s _exceptions.csv with the user\'s line', () => {
    const text = readFileSync(join(reports, 'out', 'fast-endpoint-within-budget_exceptions.csv'), 'utf8')
    const [head, row] = text.split('\r\n')
    expect(head).toBe('Count,Message,Traceback,Nodes')
    // 2 VUs share 20 iterations: each VU that reaches its second iteration throws once.
    expect(row).toMatch(/^[12],Error: fixture VU exception,/)
    const where = fixtureAt("if (vu.iteration === 1) throw new Error('fixture VU exception')").replace(/:\d+$/, '')
    expect(row).toContain(`test/fixtures/thresholds/${where}:`)
    expect(row).toMatch(/,worker-0$/)
  })

  test('the reporter writes one HTML report with every block of the run beside the JSON results', () => {
    const html = readFileSync(join(reports, 'out', 'report.html'), 'utf8')
    for (const name of ['fast endpoint within budget', 'slow endpoint beyond budget', 'slow scenario', 'steady for progress']) expect(html).toContain(`<h2>${name}`)
    expect(run.out).toMatch(/HTML report: .*report\.html/)
  })

  test('with progress on, a line per running block about once a second', () => {
    const lines = run.out.split('\n').filter((l) => l.includes('▸ steady for progress'))
    expect(lines.length, run.out).toBeGreaterThanOrEqual(1)
    expect(lines.length).toBeLessThanOrEqual(4)
    expect(lines[0]).toMatch(/▸ steady for progress {2}\ds\/3s · 1 VUs · \d+ req\/s · p95 \d+\.\d ms · \d+ requests · errors 0\.00 %/)
  })

  test('the Markdown summary is appended to GITHUB_STEP_SUMMARY', () => {
    const md = readFileSync(stepSummary, 'utf8')
    expect(md).toMatch(/## loadspec/)
    expect(md).toMatch(/### slow endpoint beyond budget\n\n\d+\.\d s · ❌ thresholds 0\/1/)
    expect(md).toMatch(/^\| endpoint \| reqs \| rps \| err % \| p50 ms \| p90 ms \| p95 ms \| p99 ms \| max ms \|$/m)
    expect(md).toMatch(/\| GET \/fast \| 20 \|/)
    expect(md).toMatch(/- ❌ `http_req_duration p\(95\)<5`/)
    rmSync(reports, { recursive: true, force: true })
  })

  test('the reporter prints the end-of-run table per perf block', () => {
    expect(run.out).toMatch(/fast endpoint within budget +· +\d+ms +· +✓ thresholds 2\/2/)
    expect(run.out).toMatch(/endpoint\s+reqs\s+rps\s+err%\s+p50 ms\s+p90 ms\s+p95 ms\s+p99 ms\s+max ms/)
    expect(run.out).toMatch(/GET \/fast\s+20\s/)
  })
})

describe('colour in the end-of-run summary', () => {
  // Only the block within budget runs, with no report files: its summary line and threshold lines.
  const only = { args: ['-t', 'fast endpoint within budget'], reportsTo: false }
  const config = 'test/fixtures/thresholds/vitest.config.ts'
  const summary = (out: string) => out.slice(out.indexOf(' loadspec '))

  test('FORCE_COLOR=1 colours the verdict and ✓ even through a pipe', async () => {
    const r = await runVitest(config, { ...only, colors: { FORCE_COLOR: '1' } })
    expect(r.code, r.out).toBe(0)
    expect(summary(r.out)).toContain('\u001b[32m✓ thresholds 2/2\u001b[39m')
    expect(summary(r.out)).toMatch(/^ {2}\u001b\[32m✓\u001b\[39m http_req_duration p\(95\)<500/m)
  }, 150_000)

  test('through a pipe, and with NO_COLOR, the summary is plain', async () => {
    const [piped, noColor] = await Promise.all([runVitest(config, { ...only, colors: {} }), runVitest(config, { ...only, colors: { NO_COLOR: '1' } })])
    for (const r of [piped, noColor]) {
      expect(r.code, r.out).toBe(0)
      expect(summary(r.out)).toMatch(/fast endpoint within budget +· +\d+ms +· +✓ thresholds 2\/2/)
      expect(summary(r.out)).not.toContain('\u001b[')
    }
  }, 150_000)
})
