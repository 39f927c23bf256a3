// Time to merge 100 results of a realistic size: 10 endpoints × 2 statuses, 60 one-second windows.
import { aggregate, PerfResult } from '../../dist/index.js'
import { syntheticMetrics } from '../lib/synthetic.mjs'

function result(seed) {
  return new PerfResult({ version: 1, name: 'r', startTime: 0, durationMs: 60_000, metrics: syntheticMetrics(seed), thresholds: [] })
}
const parts = Array.from({ length: 100 }, (_, i) => result(i + 1).toJSON())
const times = []
let merged
for (let k = 0; k < 5; k++) {
  const t0 = performance.now()
  merged = aggregate(parts)
  times.push(performance.now() - t0)
}
times.sort((a, b) => a - b)
process.stdout.write(`RESULT ${JSON.stringify({ mergeMs: times[2], requests: new PerfResult(merged).requests })}\n`)
