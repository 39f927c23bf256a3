/**
 * `npm pack` yields a package that works in a fresh project: installed with vitest from the
 * registry, it type-checks a user's suite (matchers typed), runs it, and serves `run()` without a
 * test runner. With LOADSPEC_COMPAT_VITEST=4 (npm run test:compat) the fresh project uses Vitest 4
 * and the `vitest4` export condition, so the Vitest 4 matcher types are checked too.
 */
import { execFile } from 'node:child_process'
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const fixture = fileURLToPath(new URL('../fixtures/consumer', import.meta.url))
const npmCli = process.env['npm_execpath']
const vitestMajor = process.env['LOADSPEC_COMPAT_VITEST'] === '4' ? 4 : 5

function sh(cmd: string, args: string[], cwd: string, timeout = 240_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout, env: { ...process.env, CI: 'true', NO_COLOR: '1', LOADSPEC_PROFILE: '' }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
}
const npm = (args: string[], cwd: string) => (npmCli ? sh(process.execPath, [npmCli, ...args], cwd) : sh('npm', args, cwd))

// npm_execpath is set whenever the suite runs through npm (npm test, npx): that is how we run npm here.
describe.skipIf(!npmCli)(`the packed package in a fresh project (Vitest ${vitestMajor})`, () => {
  let dir = ''
  let installed = { code: 1, out: 'not run' }
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loadspec-consumer-'))
    const packed = await npm(['pack', '--pack-destination', dir], root)
    expect(packed.code, packed.out).toBe(0)
    const tgz = (await readdir(dir)).find((f) => f.endsWith('.tgz')) as string
    await cp(fixture, dir, { recursive: true })
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    if (vitestMajor === 4) {
      // A Vitest 4 user selects the Vitest 4 matcher types with one tsconfig line (docs/typing.md).
      const tsconfig = JSON.parse(await readFile(join(dir, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> }
      tsconfig.compilerOptions['customConditions'] = ['vitest4']
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
    }
    installed = await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tgz}`, `vitest@${vitestMajor}`, 'typescript@5.9.3', '@types/node@24'], dir)
  }, 300_000)
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }) })

  test('installs with vitest', () => {
    expect(installed.code, installed.out).toBe(0)
  })

  test('a user suite type-checks against the shipped types (matchers included)', async () => {
    const r = await sh(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', dir], dir)
    expect(r.code, r.out).toBe(0)
  })

  test('the suite runs: perf blocks, scenarios, matchers and the summary', async () => {
    const r = await sh(process.execPath, [join(dir, 'node_modules/vitest/vitest.mjs'), 'run'], dir)
    expect(r.code, r.out).toBe(0)
    expect(r.out).toMatch(/Tests +2 passed/)
    expect(r.out).toMatch(/consumer: health under load +· .*✓ thresholds 2\/2/)
    expect(r.out).toMatch(/GET \/items\/:id +20 /)
    // The shipped source maps carry their sources, so Vite has nothing to warn about.
    expect(r.out).not.toMatch(/Sourcemap|missing source files/)
  })

  test('a breached block points at the user\'s perf() line, not at loadspec in node_modules', async () => {
    const r = await sh(process.execPath, [join(dir, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.breach.config.ts'], dir)
    expect(r.code, r.out).toBe(1)
    expect(r.out).toMatch(/ThresholdsFailedError: Thresholds breached in perf "consumer: breached budget"/)
    // breach.fail.ts calls perf( on line 5; Vitest prints the first frame it does not hide, with its code.
    expect(/^ ❯ (\S+:\d+:\d+)$/m.exec(r.out)?.[1], r.out).toBe('breach.fail.ts:5:1')
    expect(r.out).toMatch(/^ +5\| perf\('consumer: breached budget', \{$/m)
    expect(r.out).not.toMatch(/node_modules\/loadspec|Sourcemap/)
  })

  test('the suite wrote its results, and the loadspec binary compares them', async () => {
    const json = join(dir, 'perf-results', 'consumer-health-under-load.json')
    const same = await sh(process.execPath, [join(dir, 'node_modules/loadspec/dist/cli/bin.js'), 'compare', json, json], dir)
    expect(same.code, same.out).toBe(0)
    expect(same.out).toMatch(/0 regressions/)
    const help = await sh(process.execPath, [join(dir, 'node_modules/.bin/loadspec'), '--help'], dir)
    expect(help.out).toMatch(/compare <base> <head>/)
  })

  test('run() works without a test runner', async () => {
    const r = await sh(process.execPath, [join(dir, 'run.mjs')], dir)
    expect(r.code, r.out).toBe(0)
    expect(JSON.parse(r.out.trim().split('\n').at(-1) as string)).toEqual({ requests: 10, p95: 'number' })
  })
})
