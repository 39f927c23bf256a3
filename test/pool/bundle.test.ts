/** Worker bundles on disk: named by their bytes, shared by processes that build the same code, pruned when unused. */
import { existsSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test, vi } from 'vitest'

const scenarioFile = fileURLToPath(new URL('./send-scenario.ts', import.meta.url))
/** A fresh copy of the bundler, as another process would have (its in-memory cache empty). */
const freshBundler = async () => { vi.resetModules(); return import('../../src/pool/bundle.ts') }

test('processes that bundle the same code share one file, and files unused for a week are removed', async () => {
  const first = await (await freshBundler()).bundleModuleFunction(scenarioFile)
  const dir = dirname(fileURLToPath(first))
  const stale = join(dir, 'stale-bundle-from-the-test.mjs')
  writeFileSync(stale, '')
  const longAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000)
  utimesSync(stale, longAgo, longAgo)
  const second = await (await freshBundler()).bundleModuleFunction(scenarioFile)
  expect(second).toBe(first)
  expect(existsSync(fileURLToPath(first))).toBe(true)
  expect(existsSync(stale)).toBe(false)
})
