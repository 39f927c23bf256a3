// Time to merge 100 results of a realistic size: 10 endpoints × 2 statuses, 60 one-second windows.
import { aggregate, PerfResult } from '../../dist/index.js'
import { MetricsRegistry } from '../../dist/metrics/registry.js'

function result(seed) {
  const reg = new MetricsRegistry()
  let x = seed
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648)
  for (let s = 0; s < 60; s++) {
    for (let i = 0; i < 500; i++) {
      const tags = { name: `GET /e${i % 10}`, status: rnd() < 0.02 ? '500' : '200' }
      reg.trend('http_req_duration', tags).add(1 + rnd() * 50)
      reg.counter('http_reqs', tags).add(1)
      reg.rate('http_req_failed', tags).add(tags.status === '500')
    }
    reg.closeSecond()
  }
  return new PerfResult({ version: 1, name: 'r', startTime: 0, durationMs: 60_000, metrics: reg.snapshot(), thresholds: [] })
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
