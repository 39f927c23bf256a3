// A result of a realistic size for the merge benchmarks: 10 endpoints × 2 statuses, 500 requests in
// each of 60 one-second windows, latencies from a seeded generator (the same seed, the same result).
import { MetricsRegistry } from '../../dist/metrics/registry.js'

export function syntheticMetrics(seed) {
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
  return reg.snapshot()
}
