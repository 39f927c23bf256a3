/**
 * End to end under Vitest: a fixture file whose blocks start a real process service and kill it
 * mid-run; the fault is in the summary with its recovery, and a failed block's message ends with
 * the service's last log lines.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { beforeAll, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const vitestBin = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url))

let run: { code: number; out: string }
beforeAll(async () => {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', LOADSPEC_PROFILE: '', NO_COLOR: '1', FORCE_COLOR: '0' }
  delete env['FIXTURE_REPORT_DIR']
  run = await new Promise((resolve) => {
    execFile(process.execPath, [vitestBin, 'run', '--config', 'test/fixtures/wiring/vitest.config.ts', '--reporter', 'default'], { cwd: root, env, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
}, 150_000)

test('the block with a kill fault passes its phase and recovery assertions; the fault is in the summary', () => {
  expect(run.out).toMatch(/✓ .*the api recovers after the kill/)
  expect(run.out).toMatch(/⚡ kill api for 1s/)
})

test('a failed block fails its test with the service\'s last log lines', () => {
  expect(run.code).toBe(1)
  expect(run.out).toMatch(/fixture setup failure[\s\S]*last \d+ log lines of service "api"[\s\S]*listening on \d+/)
})
