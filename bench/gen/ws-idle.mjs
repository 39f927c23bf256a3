// RSS and heap per idle WebSocket session, figures taken once all are open against a baseline
// taken after loading loadspec. MODE 'vu': N VUs each open one session and hold it (VU, context and
// driver included); MODE 'fanout': one VU holds N subscriber sessions (ws.fanout). Run with --expose-gc.
import { run } from '../../dist/index.js'
import { memorySnapshot as snapshot } from '../lib/memory.mjs'

const [url, n = '10000', hold = '8', mode = 'vu'] = process.argv.slice(2)
const N = Number(n)
const base = snapshot()
let open = 0
let at = null
const watch = setInterval(() => { if (open >= N && !at) at = snapshot() }, 50)
const t0 = performance.now()
let openMs = 0
if (mode === 'fanout') {
  await run({ name: 'bench', vus: 1, iterations: 1, workers: 0, fn: async ({ ws, sleep }) => {
    const f = await ws.fanout(url, { sessions: N })
    open = f.sessions.filter((s) => s.ok).length
    openMs = performance.now() - t0
    await sleep(Number(hold))
    await f.close()
  } })
} else {
  await run({ name: 'bench', executor: 'per-vu-iterations', vus: N, iterations: 1, maxDuration: '60s', workers: 0,
    fn: async ({ ws, sleep }) => {
      const s = await ws.connect(url)
      if (s.ok && ++open === N) openMs = performance.now() - t0
      await sleep(Number(hold))
      s.close()
    } })
}
clearInterval(watch)
if (!at) throw new Error(`only ${open} of ${N} sessions opened`)
process.stdout.write(`RESULT ${JSON.stringify({ mode, sessions: N, openMs, rssPerSessionKb: (at.rss - base.rss) / N / 1024, heapPerSessionKb: (at.heap - base.heap) / N / 1024 })}\n`)
