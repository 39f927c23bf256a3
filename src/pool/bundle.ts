/**
 * Bundles a test file once per process with esbuild, so worker threads can load it on every Node
 * version we support (TypeScript included) and get its inline perf()/scenario() functions.
 * `vitest` is replaced by a stub (no runner in a worker); packages stay external and resolve from
 * the project's node_modules, where the bundle is written (node_modules/.cache/loadspec).
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const cache = new Map<string, Promise<string>>()

/** URL of the bundle (an ES module) that installs the registry, evaluates `testFile` and exports the worker task. */
export function bundleFor(testFile: string): Promise<string> {
  const key = `${testFile}:${statSync(testFile).mtimeMs}`
  let p = cache.get(key)
  if (!p) {
    p = make(testFile)
    cache.set(key, p)
    p.catch(() => cache.delete(key))
  }
  return p
}

async function make(testFile: string): Promise<string> {
  const outDir = join(nodeModulesOf(testFile), '.cache', 'loadspec')
  mkdirSync(outDir, { recursive: true })
  const out = join(outDir, `${createHash('sha1').update(testFile).digest('hex').slice(0, 12)}-${Date.now().toString(36)}.mjs`)
  const entry = [
    `import ${JSON.stringify(join(here, `install-registry${ext}`))}`,
    `import ${JSON.stringify(testFile)}`,
    `export { default } from ${JSON.stringify(join(here, `worker-task${ext}`))}`,
  ].join('\n')
  await build({
    stdin: { contents: entry, resolveDir: dirname(testFile), sourcefile: 'loadspec-worker-entry.mjs', loader: 'js' },
    bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', outfile: out,
    alias: { vitest: join(here, 'vitest-stub.cjs') }, sourcemap: 'inline', logLevel: 'silent',
  })
  return pathToFileURL(out).href
}

function nodeModulesOf(file: string): string {
  let dir = dirname(file)
  for (;;) {
    const nm = join(dir, 'node_modules')
    if (existsSync(nm)) return nm
    const up = dirname(dir)
    if (up === dir) return join(process.cwd(), 'node_modules')
    dir = up
  }
}
