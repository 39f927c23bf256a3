/**
 * End to end: runs Vitest on a fixture file with the loadspec plugin and reads its exit code and
 * output, as a user would see them.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const vitestBin = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url))

function runVitest(config: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [vitestBin, 'run', '--config', config, '--reporter', 'default'],
      { cwd: root, env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', LOADSPEC_PROFILE: '' }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
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
    expect(run.out).toMatch(/Tests +3 failed \| 1 passed \(4\)/)
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

  test('the reporter prints the end-of-run table per perf block', () => {
    expect(run.out).toMatch(/fast endpoint within budget +· +\d+ms +· +✓ thresholds 2\/2/)
    expect(run.out).toMatch(/endpoint\s+reqs\s+rps\s+err%\s+p50\s+p90\s+p95\s+p99\s+max/)
    expect(run.out).toMatch(/GET \/fast\s+20\s/)
  })
})
