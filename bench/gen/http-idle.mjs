// Heap and RSS per idle HTTP VU: N VUs make one request each, then sleep; measured once all slept.
import { run } from '../../dist/index.js'
import { memorySnapshot as snapshot } from '../lib/memory.mjs'

const [url, n = '2000', hold = '5'] = process.argv.slice(2)
const N = Number(n)
const base = snapshot()
let idle = 0
let at = null
const watch = setInterval(() => { if (idle >= N && !at) at = snapshot() }, 50)
await run({ name: 'bench', executor: 'per-vu-iterations', vus: N, iterations: 1, maxDuration: '60s', workers: 0,
  fn: async ({ http, sleep }) => { await http.get(url); idle++; await sleep(Number(hold)) } })
clearInterval(watch)
if (!at) throw new Error(`only ${idle} of ${N} VUs went idle`)
process.stdout.write(`RESULT ${JSON.stringify({ vus: N, heapPerVuKb: (at.heap - base.heap) / N / 1024, rssPerVuKb: (at.rss - base.rss) / N / 1024 })}\n`)
