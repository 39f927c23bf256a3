/**
 * End to end under Jest: runs Jest on the fixture suites (test/fixtures/jest) with each transform
 * a Jest user may have (babel-jest, ts-jest, @swc/jest, native ES modules) and reads its exit code,
 * output and files, as a user would see them. Runs on the built package (`npm run test:jest`
 * builds it), linked as node_modules/loadspec of the fixture project. `npm run test:compat` points
 * LOADSPEC_JEST_PROJECT at a copy of the fixtures with Jest 29 installed.
 */
import { execFile } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const project = process.env['LOADSPEC_JEST_PROJECT'] || join(root, 'test/fixtures/jest')
const jestPackage = createRequire(join(project, 'package.json')).resolve('jest/package.json')
const jestBin = join(jestPackage, '..', 'bin', 'jest.js')
const jestVersion = (JSON.parse(readFileSync(jestPackage, 'utf8')) as { version: string }).version
const built = existsSync(join(root, 'dist/cjs/jest.cjs'))

const transforms = ['babel', 'ts-jest', 'swc', 'esm'] as const
type Transform = (typeof transforms)[number]

interface Run { code: number; out: string }

/** Runs Jest on the fixture project with `transform`'s config; `env` entries set to undefined are removed. */
function jest(transform: Transform, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const full: Record<string, string | undefined> = { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', LOADSPEC_PROFILE: '', ...env }
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k]
  const node = transform === 'esm' ? ['--experimental-vm-modules'] : []
  return new Promise((resolve) => {
    execFile(process.execPath, [...node, jestBin, '--config', join(project, `jest.${transform}.config.cjs`), ...args], { cwd: project, env: full, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
}

/** `file:<line>` of the first line of a fixture that starts with `start`. */
function lineOf(file: string, start: string): string {
  const lines = readFileSync(join(project, file), 'utf8').split('\n')
  const i = lines.findIndex((l) => l.trimStart().startsWith(start))
  expect(i, start).toBeGreaterThanOrEqual(0)
  return `${file}:${i + 1}`
}

/** Jest's report of one failed test: from its ● line to the next one. */
function failure(out: string, title: string): string {
  const start = out.indexOf(`● ${title}`)
  expect(start, out).toBeGreaterThanOrEqual(0)
  const next = out.indexOf('●', start + 2)
  return out.slice(start, next < 0 ? undefined : next)
}

beforeAll(() => {
  expect(built, 'the Jest e2e tests run on the built package: npm run build (npm run test:jest does)').toBe(true)
  // As an installed package: the fixtures and their worker bundles resolve `loadspec/jest` through its exports.
  const link = join(project, 'node_modules/loadspec')
  mkdirSync(join(project, 'node_modules'), { recursive: true })
  if (!existsSync(link) && !lstatSync(link, { throwIfNoEntry: false })) symlinkSync(root, link, 'dir')
})

describe.each(transforms)(`Jest ${jestVersion} with %s`, (transform) => {
  const reports = mkdtempSync(join(tmpdir(), `loadspec-jest-${transform}-`))
  const stepSummary = join(reports, 'step-summary.md')
  let run: Run
  beforeAll(async () => {
    run = await jest(transform, ['--verbose'], { FIXTURE_MATCH: '<rootDir>/{budget,workers}.test.ts', FIXTURE_REPORT_DIR: join(reports, 'out'),
      FIXTURE_PROGRESS: '1', GITHUB_STEP_SUMMARY: stepSummary })
  }, 150_000)
  afterAll(() => rmSync(reports, { recursive: true, force: true }))

  test('a breached threshold fails the run with the readable message, pointing at the user\'s perf() line', () => {
    expect(run.code, run.out).toBe(1)
    const breached = failure(run.out, 'slow endpoint beyond budget')
    expect(breached).toMatch(/ThresholdsFailedError: Thresholds breached in perf "slow endpoint beyond budget"/)
    const actual = /✗ http_req_duration p\(95\)<5 {2}\(actual (\d+\.\d+)\)/.exec(breached)
    // the fixture server answers /slow after 20 ms (timers may fire up to ~1 ms early)
    expect(Number(actual?.[1]), breached).toBeGreaterThanOrEqual(19)
    const at = lineOf('budget.test.ts', "perf<Data>('slow endpoint beyond budget'")
    // The first frame Jest shows is the user's perf() call (named after the module or the call, by transform).
    expect(/^ +at .*\((\S+:\d+):\d+\)$/m.exec(breached)?.[1], breached).toBe(at)
    expect(breached).toMatch(new RegExp(`> ${at.split(':')[1]} \\| perf<Data>\\('slow endpoint beyond budget', \\{`))
  })

  test('the blocks within budget pass, the one on two workers too', () => {
    expect(run.out).toMatch(/✓ fast endpoint within budget/)
    expect(run.out).toMatch(/✓ inline TypeScript block on two workers/)
    expect(run.out).toMatch(/inline TypeScript block on two workers +· +\d+ms +· +2 workers +· +✓ thresholds 2\/2/)
    expect(run.out).toMatch(/Tests: +3 failed, 4 passed, 7 total/)
  })

  test('matcher failures show expected vs actual and the percentile table; .not passes and fails', () => {
    const m = failure(run.out, 'matcher failure shows expected, actual and the percentile table')
    expect(m).toMatch(/expect\(received\)\.toHaveP95Below\(expected\) failed — slow scenario/)
    expect(m).toMatch(/Expected: p95 < 5\.00 ms/)
    expect(Number(/Received: p95 = (\d+\.\d\d) ms/.exec(m)?.[1])).toBeGreaterThanOrEqual(19)
    expect(m).toMatch(/count\s+min\s+mean\s+p50\s+p90\s+p95\s+p99\s+p99\.9\s+max/)
    expect(run.out).toMatch(/✓ \.not passes where the matcher fails/)
    const not = failure(run.out, '.not fails where the matcher passes')
    expect(not).toMatch(/expect\(received\)\.not\.toHaveErrorRateBelow\(expected\) failed — slow scenario/)
    expect(not).toMatch(/Expected: not error rate < 50\.00%/)
  })

  test('the reporter prints the summary, writes JSON, CSV and HTML, and the Markdown job summary', () => {
    const summary = run.out.slice(run.out.indexOf(' loadspec '))
    expect(summary).toMatch(/fast endpoint within budget +· +\d+ms +· +✓ thresholds 2\/2/)
    expect(summary).toMatch(/GET \/fast\s+20\s/)
    expect(summary).toMatch(/HTML report: .*report\.html/)
    const files = readdirSync(join(reports, 'out'))
    expect(files).toEqual(expect.arrayContaining(['fast-endpoint-within-budget.json', 'fast-endpoint-within-budget_stats.csv',
      'slow-endpoint-beyond-budget.json', 'slow-scenario.json', 'inline-typescript-block-on-two-workers.json', 'report.html']))
    const html = readFileSync(join(reports, 'out', 'report.html'), 'utf8')
    for (const name of ['fast endpoint within budget', 'slow endpoint beyond budget', 'steady for progress']) expect(html).toContain(`<h2>${name}`)
    const md = readFileSync(stepSummary, 'utf8')
    expect(md).toMatch(/### slow endpoint beyond budget\n\n\d+\.\d s · ❌ thresholds 0\/1/)
    expect(md).toMatch(/\| GET \/fast \| 20 \|/)
  })

  test('with progress on, a line per running block about once a second', () => {
    const lines = run.out.split('\n').filter((l) => l.includes('▸ steady for progress'))
    expect(lines.length, run.out).toBeGreaterThanOrEqual(1)
    expect(lines.length).toBeLessThanOrEqual(4)
    expect(lines[0]).toMatch(/▸ steady for progress {2}\ds\/3s · 1 VUs · \d+ req\/s · p95 \d+\.\d ms · \d+ requests · errors 0\.00 %/)
  })

  describe('baselines as snapshots', () => {
    const file = join(project, '__baselines__', 'baseline.test.ts.json')
    const only = { FIXTURE_MATCH: '<rootDir>/baseline.test.ts' }
    const local = { ...only, CI: undefined, GITHUB_ACTIONS: undefined }
    const p95 = () => (JSON.parse(readFileSync(file, 'utf8')) as { blocks: Record<string, { all: { p95: number } }> }).blocks['api within its baseline']?.all.p95
    beforeAll(() => rmSync(join(project, '__baselines__'), { recursive: true, force: true }))
    afterAll(() => rmSync(join(project, '__baselines__'), { recursive: true, force: true }))

    test('jest --ci never writes a missing baseline and fails saying what to do', async () => {
      const r = await jest(transform, ['--ci'], { ...local, FIXTURE_DELAY_MS: '5' })
      expect(r.code, r.out).toBe(1)
      expect(r.out).toMatch(/baselines are never written in CI: run the suite locally/)
      expect(existsSync(file)).toBe(false)
    }, 150_000)

    test('a local run writes it; jest -u rewrites it with the new figures', async () => {
      const first = await jest(transform, [], { ...local, FIXTURE_DELAY_MS: '5' })
      expect(first.code, first.out).toBe(0)
      expect(p95()).toBeGreaterThanOrEqual(4.9)
      expect(p95()).toBeLessThan(39)
      const update = await jest(transform, ['-u'], { ...local, FIXTURE_DELAY_MS: '40' })
      expect(update.code, update.out).toBe(0)
      expect(p95()).toBeGreaterThanOrEqual(39)
    }, 300_000)
  })
})

describe(`Jest ${jestVersion}: a block longer than its test timeout`, () => {
  test('stops at loadspec\'s own deadline, before Jest\'s timeout, leaving no open handle', async () => {
    const r = await jest('babel', ['--detectOpenHandles'], { FIXTURE_MATCH: '<rootDir>/deadline.test.ts' })
    expect(r.code, r.out).toBe(1)
    expect(r.out).toMatch(/AbortedError: perf "a block longer than its test timeout" was aborted: stopped at its own deadline, before Jest's 4000 ms test timeout/)
    expect(r.out).not.toMatch(/Exceeded timeout/)
    // The server saw the last request before the 4 s timeout, not at the block's planned 60 s.
    const started = Number(/fixture: started at (\d+)/.exec(r.out)?.[1])
    const last = Number(/fixture: last request at (\d+)/.exec(r.out)?.[1])
    expect(last - started, r.out).toBeGreaterThan(0)
    expect(last - started).toBeLessThan(4_000)
    expect(r.out).not.toMatch(/open handle|Jest did not exit/i)
  }, 150_000)
})
