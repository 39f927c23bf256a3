// loadspec open model: constant-arrival-rate RATE/s for SECONDS with up to MAXVUS VUs.
import { run } from '../../dist/index.js'

const [url, rate = '2000', seconds = '10', pre = '50', maxVUs = '3000'] = process.argv.slice(2)
const result = await run({ name: 'bench', executor: 'constant-arrival-rate', rate: Number(rate), duration: `${seconds}s`,
  preAllocatedVUs: Number(pre), maxVUs: Number(maxVUs), workers: 0, fn: async ({ http }) => { await http.get(url) } })
const it = result.iterations.completed
const lag = result.trend('schedule_lag')
const d = result.trend('http_req_duration')
const c = result.trend('http_req_duration_corrected')
process.stdout.write(`RESULT ${JSON.stringify({ iterations: it, dropped: result.iterations.dropped, plannedSeconds: Number(seconds),
  lagP99: lag?.p99 ?? 0, p50: d?.p50, p99: d?.p99, correctedP99: c?.p99, requests: result.requests })}\n`)
