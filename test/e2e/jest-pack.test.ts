/**
 * `npm pack` yields a package a fresh Jest project can use: installed with Jest from the registry,
 * its matchers type-check both ways a Jest user types `expect` (@jest/globals, @types/jest's
 * globals, also under TypeScript's older CommonJS resolution), and a suite runs through the
 * package's `require` entries (ts-jest), its load on a worker thread. LOADSPEC_COMPAT_JEST=29
 * (npm run test:compat) installs Jest 29.
 */
import { execFile } from 'node:child_process'
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const fixture = fileURLToPath(new URL('../fixtures/jest-consumer', import.meta.url))
const npmCli = process.env['npm_execpath']
const jestMajor = process.env['LOADSPEC_COMPAT_JEST'] === '29' ? 29 : 30

function sh(cmd: string, args: string[], cwd: string, timeout = 240_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout, env: { ...process.env, CI: 'true', NO_COLOR: '1', LOADSPEC_PROFILE: '' }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
}
const npm = (args: string[], cwd: string) => (npmCli ? sh(process.execPath, [npmCli, ...args], cwd) : sh('npm', args, cwd))

// npm_execpath is set whenever the suite runs through npm (npm run test:jest, npx): that is how we run npm here.
describe.skipIf(!npmCli)(`the packed package in a fresh Jest ${jestMajor} project`, () => {
  let dir = ''
  let installed = { code: 1, out: 'not run' }
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loadspec-jest-consumer-'))
    const packed = await npm(['pack', '--pack-destination', dir], root)
    expect(packed.code, packed.out).toBe(0)
    const tgz = (await readdir(dir)).find((f) => f.endsWith('.tgz')) as string
    await cp(fixture, dir, { recursive: true })
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'jest-consumer', private: true, type: 'module' }))
    installed = await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tgz}`, `jest@${jestMajor}`, `@jest/globals@${jestMajor}`,
      `@types/jest@${jestMajor}`, 'ts-jest@29', 'typescript@5.9.3', '@types/node@24'], dir)
  }, 300_000)
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }) })

  test('installs with jest', () => {
    expect(installed.code, installed.out).toBe(0)
  })

  for (const [how, config] of [['@jest/globals', 'tsconfig.imported.json'], ['@types/jest globals', 'tsconfig.ambient.json'],
    ['@types/jest globals, CommonJS node10 resolution', 'tsconfig.commonjs.json']] as const) {
    test(`the matchers type-check with ${how}`, async () => {
      const r = await sh(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', join(dir, config)], dir)
      expect(r.code, r.out).toBe(0)
    })
  }

  test('the suite runs under Jest through the package\'s require entries: a pooled block, a scenario, matchers, the summary', async () => {
    const r = await sh(process.execPath, [join(dir, 'node_modules/jest/bin/jest.js'), '--ci', '--detectOpenHandles'], dir)
    expect(r.code, r.out).toBe(0)
    expect(r.out).toMatch(/Tests: +2 passed, 2 total/)
    expect(r.out).toMatch(/consumer \(jest\): health under load +· .*✓ thresholds 2\/2/)
    expect(r.out).toMatch(/GET \/items\/:id +20 /)
    expect(r.out).not.toMatch(/open handle/i)
  })
})
