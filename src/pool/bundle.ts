/**
 * Bundles what a worker thread must load, once per process, with esbuild: TypeScript loads on
 * every Node version we support, the test runner's modules (and globals) are replaced by the stub
 * the runner's adapter names (there is no runner in a worker), and
 * packages stay external, resolved from the project's node_modules where bundles are written
 * (node_modules/.cache/loadspec).
 *
 * Two kinds: a test file's bundle (its inline perf()/scenario() functions are found by name), and
 * a scenario module's bundle (its default export is the VU function).
 *
 * A bundle's file is named by the hash of its bytes: processes that build the same code share one
 * file instead of adding one each, and a changed source gets a new name (workers import by URL, and
 * an imported URL is never loaded again). Files unused for a week are removed.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { threadId } from 'node:worker_threads'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const own = (name: string) => JSON.stringify(join(here, `${name}${ext}`))
const cache = new Map<string, Promise<string>>()

/**
 * What stands in for a test runner when a worker loads a test file: modules aliased to stubs, and
 * a prelude evaluated before the file (a runner whose API is ambient globals installs them there).
 */
export interface RunnerStub {
  readonly name: string
  /** Module specifier → stub file. */
  readonly alias: Readonly<Record<string, string>>
  /** A file evaluated before the test file, for its side effects. */
  readonly prelude?: string
}

const stubFile = (name: string) => join(here, name)
/** Vitest's API is its module: `vitest` is aliased. */
export const VITEST_STUB: RunnerStub = { name: 'vitest', alias: { vitest: stubFile('vitest-stub.cjs') } }
/** Jest's API is ambient globals (`describe`, `test`, `expect`, `jest`…) and `@jest/globals`. */
export const JEST_STUB: RunnerStub = { name: 'jest', alias: { '@jest/globals': stubFile('jest-stub.cjs') }, prelude: stubFile('jest-stub.cjs') }
/** Either runner's test file (`loadspec run` does not know which runner a file was written for). */
export const ANY_RUNNER_STUB: RunnerStub = { name: 'any', alias: { ...VITEST_STUB.alias, ...JEST_STUB.alias }, prelude: stubFile('jest-stub.cjs') }

const preludeOf = (stub: RunnerStub) => (stub.prelude ? [`import ${JSON.stringify(stub.prelude)}`] : [])

/** URL of a bundle that installs the registry, evaluates `testFile` and exports the worker task. */
export function bundleFor(testFile: string, stub: RunnerStub = VITEST_STUB): Promise<string> {
  return cached(`file:${stub.name}:${testFile}:${statSync(testFile).mtimeMs}`, testFile, [
    `import ${own('install-registry')}`,
    ...preludeOf(stub),
    `import ${JSON.stringify(testFile)}`,
    `export { default } from ${own('worker-task')}`,
  ], stub)
}

/**
 * URL of a worker bundle for a scenario module: it records the module's default export under
 * `name` with `options` (JSON) and exports the worker task.
 */
export function bundleForModule(modulePath: string, name: string, options: Readonly<Record<string, unknown>>): Promise<string> {
  const json = JSON.stringify(options)
  return cached(`module:${modulePath}:${statSync(modulePath).mtimeMs}:${name}:${json}`, modulePath, [
    `import ${own('install-registry')}`,
    `import { record } from ${own('registry')}`,
    `import vuFunction from ${JSON.stringify(modulePath)}`,
    `if (typeof vuFunction !== 'function') throw new TypeError(${JSON.stringify(`${modulePath} must export a VU function as its default export`)})`,
    `record({ kind: 'scenario', name: ${JSON.stringify(name)}, options: ${json}, fn: vuFunction })`,
    `export { default } from ${own('worker-task')}`,
  ])
}

/** URL of a bundle that only re-exports a scenario module's function (for `workers: 0`). */
export function bundleModuleFunction(modulePath: string): Promise<string> {
  return cached(`fn:${modulePath}:${statSync(modulePath).mtimeMs}`, modulePath, [`export { default as vuFunction } from ${JSON.stringify(modulePath)}`])
}

/**
 * URL of a bundle that re-exports everything a module exports (`loadspec run` reads a k6-shaped
 * module's `options`, `setup` and `teardown` on its own thread). The worker registry is installed
 * first, so a test file's perf() blocks record themselves instead of registering tests.
 */
export function bundleModuleExports(modulePath: string, stub: RunnerStub = VITEST_STUB): Promise<string> {
  return cached(`exports:${stub.name}:${modulePath}:${statSync(modulePath).mtimeMs}`, modulePath, [
    `import ${own('install-registry')}`,
    ...preludeOf(stub),
    `export * from ${JSON.stringify(modulePath)}`,
    `import * as all from ${JSON.stringify(modulePath)}`,
    `export default all.default`,
  ], stub)
}

function cached(key: string, file: string, lines: string[], stub: RunnerStub = VITEST_STUB): Promise<string> {
  let p = cache.get(key)
  if (!p) {
    p = make(file, lines.join('\n'), stub)
    cache.set(key, p)
    p.catch(() => cache.delete(key))
  }
  return p
}

/**
 * In the built package, loadspec's own modules are imported from where it is installed rather
 * than copied into the bundle: their packages (zod, undici…) then resolve from loadspec's
 * location, as they must where the project's node_modules does not hold them (pnpm, a linked
 * package). The runner stubs (.cjs) stay bundled: their exports are made at run time. From the
 * sources (.ts) everything is bundled, as Node could not load the TypeScript on every version.
 */
const packageRoot = dirname(here)
const ownFilesExternal = {
  name: 'loadspec-own-files',
  setup(b: { onResolve(o: { filter: RegExp }, f: (a: { path: string }) => { path: string; external: boolean } | undefined): void }) {
    if (ext !== '.js') return
    b.onResolve({ filter: /\.js$/ }, (a) => (a.path.startsWith(packageRoot) ? { path: pathToFileURL(a.path).href, external: true } : undefined))
  },
}

/** A bundle file not used for this long is removed by the next process that bundles. */
const UNUSED_MS = 7 * 24 * 3600 * 1000
const pruned = new Set<string>()

async function make(file: string, contents: string, stub: RunnerStub): Promise<string> {
  const outDir = join(nodeModulesOf(file), '.cache', 'loadspec')
  mkdirSync(outDir, { recursive: true })
  if (!pruned.has(outDir)) { pruned.add(outDir); prune(outDir) }
  const built = await build({
    stdin: { contents, resolveDir: dirname(file), sourcefile: 'loadspec-worker-entry.mjs', loader: 'js' },
    bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', outfile: join(outDir, 'bundle.mjs'),
    alias: { ...stub.alias }, sourcemap: 'inline', logLevel: 'silent', write: false, plugins: [ownFilesExternal],
  })
  const code = (built.outputFiles[0] as { contents: Uint8Array }).contents
  const out = join(outDir, `${createHash('sha1').update(code).digest('hex').slice(0, 16)}.mjs`)
  if (existsSync(out)) {
    const now = new Date()
    utimesSync(out, now, now) // in use: not pruned
  } else {
    // Written whole under a temporary name, then renamed: another process never imports half a file.
    const tmp = `${out}.${process.pid}-${threadId}.tmp`
    writeFileSync(tmp, code)
    renameSync(tmp, out)
  }
  return pathToFileURL(out).href
}

function prune(dir: string): void {
  const before = Date.now() - UNUSED_MS
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    try { if (statSync(path).mtimeMs < before) rmSync(path, { force: true }) } catch { /* gone already */ }
  }
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
