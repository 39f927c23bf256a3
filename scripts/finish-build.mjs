// After tsc: ship the hand-written matcher augmentations and reference each from its entry's
// index.d.ts (tsc does not copy .d.ts sources, and each Vitest major needs its own declaration),
// the CommonJS vitest stub that worker bundles alias `vitest` to, and the HTML report's script and styles.
// Then check that every source map carries the sources it names (the package ships no src/).
import { copyFileSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = 'dist/plugin/vitest'
copyFileSync('src/pool/vitest-stub.cjs', 'dist/pool/vitest-stub.cjs')
cpSync('src/report/assets', 'dist/report/assets', { recursive: true })
for (const [entry, types] of [['index', 'matchers-v5'], ['index-v4', 'matchers-v4']]) {
  copyFileSync(`src/plugin/vitest/${types}.d.ts`, `${dir}/${types}.d.ts`)
  const file = `${dir}/${entry}.d.ts`
  const text = readFileSync(file, 'utf8').replace(/^\/\/\/ <reference path="[^"]*" \/>\n/m, '')
  writeFileSync(file, `/// <reference path="./${types}.d.ts" />\n${text}`)
}

// A map naming a source it does not carry makes Vite warn in every user's run; fail the build instead.
const incomplete = readdirSync('dist', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js.map')).filter((f) => {
  const map = JSON.parse(readFileSync(join('dist', f), 'utf8'))
  return map.sources.some((_, i) => typeof map.sourcesContent?.[i] !== 'string')
})
if (incomplete.length) {
  console.error(`finish-build: source maps without their sources (set inlineSources in tsconfig.build.json): ${incomplete.join(', ')}`)
  process.exit(1)
}
