// loadspec closed loop: VUS VUs (one keep-alive connection each) GET URL for SECONDS, one thread.
import { run } from '../../dist/index.js'

const [url, vus = '50', seconds = '10'] = process.argv.slice(2)
const result = await run({ name: 'bench', vus: Number(vus), duration: `${seconds}s`, workers: 0,
  fn: async ({ http }) => { await http.get(url) } })
const d = result.trend('http_req_duration')
const failed = result.rate('http_req_failed')
process.stdout.write(`RESULT ${JSON.stringify({ requests: result.requests, seconds: result.duration / 1000, p50: d?.p50, p99: d?.p99, failed: failed?.passes ?? 0 })}\n`)
