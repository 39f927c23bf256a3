// After tsc: ship the hand-written matcher augmentations and reference each from its entry's
// index.d.ts (tsc does not copy .d.ts sources, and each Vitest major needs its own declaration),
// the CommonJS vitest stub that worker bundles alias `vitest` to, and the HTML report's script and styles.
import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs'

const dir = 'dist/plugin/vitest'
copyFileSync('src/pool/vitest-stub.cjs', 'dist/pool/vitest-stub.cjs')
cpSync('src/report/assets', 'dist/report/assets', { recursive: true })
for (const [entry, types] of [['index', 'matchers-v5'], ['index-v4', 'matchers-v4']]) {
  copyFileSync(`src/plugin/vitest/${types}.d.ts`, `${dir}/${types}.d.ts`)
  const file = `${dir}/${entry}.d.ts`
  const text = readFileSync(file, 'utf8').replace(/^\/\/\/ <reference path="[^"]*" \/>\n/m, '')
  writeFileSync(file, `/// <reference path="./${types}.d.ts" />\n${text}`)
}
