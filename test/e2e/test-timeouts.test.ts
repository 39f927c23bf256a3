/**
 * End to end: scenarios whose load does not fit their test's timeout, and a perf block whose
 * profile sets its timeout, run by Vitest on a fixture file (test/fixtures/timeouts).
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const vitestBin = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url))

// LOADSPEC_REPORT_DIR cleared: the fixture writes no files, not even into the outer run's directory.
function runVitest(config: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [vitestBin, 'run', '--config', config, '--reporter', 'default'],
      { cwd: root, env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', LOADSPEC_PROFILE: '', LOADSPEC_REPORT_DIR: '' }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
}

describe('scenario.run() and perf blocks against their test timeout', () => {
  let run: { code: number; out: string }
  beforeAll(async () => { run = await runVitest('test/fixtures/timeouts/vitest.config.ts') }, 150_000)

  test('a scheduled load longer than its test timeout fails at once, naming both figures and the fix', () => {
    expect(run.out).toContain('InvalidOptionError: scenario "twenty seconds" needs up to 26s (20s of load + 1s gracefulStop + 5s to start), ' +
      'but its test times out after 5000 ms; no load was started. Give the test the time: ' +
      'test("a scheduled load longer than the test timeout", fn, 26_000) or testTimeout in vitest.config.ts')
    // refused before any load: the server saw no request, and the failure is not Vitest's timeout
    expect(run.out).toMatch(/✓ .*no request of the refused load reached the server/)
    expect(run.out).not.toMatch(/Test timed out/)
  })

  test('a load that fits the timeout its test was given runs', () => {
    expect(run.out).toMatch(/✓ .*a load that fits the timeout the test was given/)
  })

  test('an iteration load that would outlast its test is stopped before the timeout, with what it measured', () => {
    const m = /InvalidOptionError: scenario "many iterations" was stopped after ([\d.]+)s of load \((\d+) iterations completed\) so that its test would not time out \(4000 ms\); its plan allows up to 10m35s\. Give the test the time: test\("an iteration load that outlasts the test timeout", fn, 635_000\)/.exec(run.out)
    expect(m, run.out).not.toBeNull()
    // stopped 1 s before the test's 4 s, long before its 200 iterations of 50 ms were done
    expect(Number(m?.[1])).toBeLessThan(4)
    expect(Number(m?.[2])).toBeGreaterThan(0)
    expect(Number(m?.[2])).toBeLessThan(200)
    // the summary still shows the partial run and why it stopped
    expect(run.out).toMatch(/many iterations +· +[\d.]+s +· +no thresholds +· +aborted: stopped before the test's 4000 ms timeout/)
  })

  test("a perf block's profile timeout is its test timeout", () => {
    expect(run.out).toMatch(/✓ .*the profile timeout was the perf block test timeout/)
  })

  test('exactly the two over-long scenarios fail', () => {
    expect(run.code).toBe(1)
    expect(run.out).toMatch(/Tests +2 failed \| 4 passed \(6\)/)
  })
})
