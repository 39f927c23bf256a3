import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { generate, prng, type WireCase } from './h1-wire-cases.ts'
import { WireHarness, type Outcome } from './h1-wire-harness.ts'

const CASES = Number(process.env.H1_CASES ?? 3000)
const SEED = Number(process.env.H1_SEED ?? 0x5eed)

let harness: WireHarness
beforeAll(async () => { harness = new WireHarness(); await harness.start() })
afterAll(async () => { await harness.stop() })

function show(o: Outcome): string {
  const e = (x: Outcome['first'] | null) => (x === null ? '-' : x.ok ? `${x.status}:${JSON.stringify(x.body.length > 40 ? x.body.slice(0, 20) + '…' + x.body.length : x.body)}` : 'ERR')
  return `${e(o.first)} ended=${o.endedBeforeClose} reused=${o.reused} second=${e(o.second)}`
}

describe('our HTTP/1.1 response parser agrees with llhttp', () => {
  test('generated and mutated responses', async () => {
    const rng = prng(SEED)
    const diffs: { c: WireCase; ours: Outcome; node: Outcome }[] = []
    const t0 = performance.now()
    for (let i = 0; i < CASES; i++) {
      const c = generate(rng)
      const ours = await harness.ours(c)
      const node = await harness.node(c)
      if (show(ours) !== show(node)) diffs.push({ c, ours, node })
    }
    console.log(`${CASES} cases in ${Math.round(performance.now() - t0)} ms, ${diffs.length} disagreements`)
    const byLabel = new Map<string, number>()
    for (const d of diffs) for (const l of d.c.labels) byLabel.set(l, (byLabel.get(l) ?? 0) + 1)
    console.log([...byLabel].sort((a, b) => b[1] - a[1]).map(([l, n]) => `${n}\t${l}`).join('\n'))
    for (const d of diffs.slice(0, Number(process.env.H1_SHOW ?? 30))) {
      console.log(`--- ${d.c.labels.join(' | ')} ${d.c.method} cuts=${d.c.cuts}\n${JSON.stringify(d.c.wire.toString('latin1').slice(0, 300))}\n  ours: ${show(d.ours)}\n  node: ${show(d.node)}`)
    }
    expect(diffs.length).toBe(0)
  }, 600_000)
})
