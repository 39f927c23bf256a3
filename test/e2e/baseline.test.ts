/**
 * Baselines end to end: Vitest runs a fixture suite that asserts toMatchBaseline(); we read the
 * baseline file it keeps beside the suite, and its exit codes, across runs as a user would.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const vitestBin = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url))
const dir = fileURLToPath(new URL('../fixtures/baseline/__baselines__', import.meta.url))
const file = `${dir}/api.perf.ts.json`

function vitest(opts: { delay: number; ci?: boolean; update?: boolean }): Promise<{ code: number; out: string }> {
  const args = [vitestBin, 'run', '--config', 'test/fixtures/baseline/vitest.config.ts', ...(opts.update ? ['--update'] : [])]
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FIXTURE_DELAY_MS: String(opts.delay), LOADSPEC_PROFILE: '' }
  if (opts.ci) env['CI'] = 'true'
  else { delete env['CI']; delete env['GITHUB_ACTIONS'] }
  return new Promise((resolve) => execFile(process.execPath, args, { cwd: root, env, timeout: 120_000 },
    (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr })))
}
const stored = () => (JSON.parse(readFileSync(file, 'utf8')) as { blocks: Record<string, { all: { p95: number } }> }).blocks['api within its baseline']

describe('toMatchBaseline', () => {
  beforeAll(() => rmSync(dir, { recursive: true, force: true }))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('CI never writes a missing baseline and fails saying what to do', async () => {
    const r = await vitest({ delay: 5, ci: true })
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/baselines are never written in CI: run the suite locally/)
    expect(existsSync(file)).toBe(false)
  }, 150_000)

  test('the first local run writes the baseline beside the suite', async () => {
    const r = await vitest({ delay: 5 })
    expect(r.code, r.out).toBe(0)
    expect(stored()?.all.p95).toBeGreaterThanOrEqual(4.9)
  }, 150_000)

  test('a run within tolerance passes and leaves the baseline as it was', async () => {
    const before = readFileSync(file, 'utf8')
    const r = await vitest({ delay: 5 })
    expect(r.code, r.out).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(before)
  }, 150_000)

  test('a run beyond tolerance fails with the comparison table, in CI too, and the baseline stays', async () => {
    const before = readFileSync(file, 'utf8')
    const r = await vitest({ delay: 40, ci: true })
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/expect\(received\)\.toMatchBaseline\(expected\) failed/)
    expect(r.out).toMatch(/all\s+p95 \(ms\)\s+\d+\.\d\d\s+4\d\.\d\d\s+\+\d+\.\d%\s+✗ regression/)
    expect(readFileSync(file, 'utf8')).toBe(before)
  }, 150_000)

  test('-u rewrites the baseline with the new figures', async () => {
    const r = await vitest({ delay: 40, update: true })
    expect(r.code, r.out).toBe(0)
    expect(stored()?.all.p95).toBeGreaterThanOrEqual(39)
  }, 150_000)

  test('a corrupt baseline is a clear error and is not overwritten', async () => {
    writeFileSync(file, '{ "version": 1, "blocks": { "api within its baseline": { "version": 1, "all": "hand-edited" } } }')
    const r = await vitest({ delay: 40 })
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/Baseline "api within its baseline" in .*api\.perf\.ts\.json is malformed: "all" is missing or malformed\. Fix it, or delete it and run the suite with -u/)
    expect(readFileSync(file, 'utf8')).toMatch(/hand-edited/)
  }, 150_000)
})
