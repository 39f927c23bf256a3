// After tsc: ship the hand-written matcher augmentations and reference each from its entry's
// index.d.ts (tsc does not copy .d.ts sources, and each Vitest major needs its own declaration;
// Jest's covers @jest/globals and @types/jest), the CommonJS runner stubs that worker bundles load
// in place of Vitest and Jest, and the HTML report's script and styles. Then bundle the CommonJS
// entries Jest's module runtime needs (below), and check that every source map carries the sources
// it names (the package ships no src/).
import { copyFileSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { build } from 'esbuild'

for (const f of readdirSync('src/pool').filter((n) => n.endsWith('.cjs'))) copyFileSync(`src/pool/${f}`, `dist/pool/${f}`)
cpSync('src/report/assets', 'dist/report/assets', { recursive: true })
for (const [dir, entry, types] of [['vitest', 'index', 'matchers-v5'], ['vitest', 'index-v4', 'matchers-v4'], ['jest', 'index', 'matchers']]) {
  copyFileSync(`src/plugin/${dir}/${types}.d.ts`, `dist/plugin/${dir}/${types}.d.ts`)
  const file = `dist/plugin/${dir}/${entry}.d.ts`
  const text = readFileSync(file, 'utf8').replace(/^\/\/\/ <reference path="[^"]*" \/>\n/m, '')
  writeFileSync(file, `/// <reference path="./${types}.d.ts" />\n${text}`)
}

// CommonJS entries (`require` conditions) for Jest, whose module runtime cannot load an ES module
// from CommonJS (babel-jest, ts-jest, @swc/jest set-ups). One source of truth: the ES build in
// dist, bundled by esbuild into one file per entry under dist/cjs.
// - `import.meta.url` in each file becomes the URL of that file's ES build (it finds its assets,
//   its package.json and the worker bundle's parts beside it), computed from __dirname at run time.
// - ES-only packages are bundled in (Jest's runtime refuses to require them, and intercepts every
//   way to reach Node's own require); their `import.meta.url` becomes the URL of the installed
//   package's file, so tinypool still starts its workers from its own entry files.
const ES_ONLY = ['tinypool']
const entries = { index: 'dist/index.js', jest: 'dist/plugin/jest/index.js', 'jest-setup': 'dist/plugin/jest/setup.js', 'jest-reporter': 'dist/plugin/jest/reporter.js' }
const cjsPlugin = {
  name: 'loadspec-cjs',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${ES_ONLY.join('|')})$`) }, (a) => ({ path: createRequire(import.meta.url).resolve(a.path) }))
    b.onLoad({ filter: /[/\\]node_modules[/\\].*\.js$/ }, (a) => {
      const pkg = ES_ONLY.find((n) => a.path.includes(`${sep}node_modules${sep}${n}${sep}`))
      if (!pkg) return undefined
      const main = createRequire(import.meta.url).resolve(pkg)
      const rel = relative(dirname(main), a.path).split(sep).join('/')
      return { loader: 'js', contents: readFileSync(a.path, 'utf8').replaceAll('import.meta.url', `__loadspecPackageUrl(${JSON.stringify(pkg)}, ${JSON.stringify(rel)})`) }
    })
    b.onLoad({ filter: /[/\\]dist[/\\].*\.js$/ }, (a) => {
      if (a.path.includes(`${sep}node_modules${sep}`)) return undefined
      const rel = relative(resolve('dist'), a.path).split(sep).join('/')
      return { loader: 'js', contents: readFileSync(a.path, 'utf8').replaceAll('import.meta.url', `__loadspecUrl(${JSON.stringify(rel)})`) }
    })
  },
}
await build({
  entryPoints: entries, outdir: 'dist/cjs', outExtension: { '.js': '.cjs' }, bundle: true, platform: 'node', format: 'cjs', target: 'node22',
  packages: 'external', plugins: [cjsPlugin], sourcemap: true, logLevel: 'warning',
  // Defined before any bundled module, whose own `require` (html.ts has one) may shadow Node's.
  banner: { js: [
    `const __loadspecUrl = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', rel)).href;`,
    `const __loadspecPackageUrl = (pkg, rel) => require('node:url').pathToFileURL(require('node:path').join(require('node:path').dirname(require.resolve(pkg)), rel)).href;`,
  ].join('\n') },
  // The reporter is Jest's default export; everything else keeps its named exports.
  footer: { js: 'if (module.exports.default && !module.exports.perf && !module.exports.run) module.exports = Object.assign(module.exports.default, module.exports);' },
})

// A map naming a source it does not carry makes Vite warn in every user's run; fail the build instead.
const incomplete = readdirSync('dist', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js.map') || f.endsWith('.cjs.map')).filter((f) => {
  const map = JSON.parse(readFileSync(join('dist', f), 'utf8'))
  return map.sources.some((_, i) => typeof map.sourcesContent?.[i] !== 'string')
})
if (incomplete.length) {
  console.error(`finish-build: source maps without their sources (set inlineSources in tsconfig.build.json): ${incomplete.join(', ')}`)
  process.exit(1)
}
