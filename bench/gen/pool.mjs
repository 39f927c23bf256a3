// Pool figures: time from run() to the first request the server sees, with the load in one
// worker thread (module scenario, as a pooled perf block), and throughput with 1 and 2 workers.
import { createServer } from 'node:http'
import { run } from '../../dist/index.js'

const [mode, url, seconds = '5', workers = '1'] = process.argv.slice(2)
const scenario = new URL('./scenario-get.mjs', import.meta.url)
if (mode === 'first') {
  let first = 0
  const server = createServer((_req, res) => { first ||= performance.now(); res.end('ok') })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const target = `http://127.0.0.1:${server.address().port}/`
  const t0 = performance.now()
  await run({ name: 'bench', vus: 1, iterations: 1, workers: 1, data: { url: target }, fn: scenario })
  server.closeAllConnections(); server.close()
  process.stdout.write(`RESULT ${JSON.stringify({ firstRequestMs: first - t0 })}\n`)
} else {
  const result = await run({ name: 'bench', vus: 50, duration: `${seconds}s`, workers: Number(workers), data: { url }, fn: scenario })
  process.stdout.write(`RESULT ${JSON.stringify({ requests: result.requests, rps: result.throughput })}\n`)
}
