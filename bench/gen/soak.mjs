// Soak: VUS VUs in a closed loop for SECONDS against TARGET (http URL, ws URL or gRPC address),
// with WORKERS worker threads (0: the load on this thread) and live progress on (onProgress).
// The bench samples this process's RSS from outside; the RESULT line says how big the result was.
import { run } from '../../dist/index.js'

const [protocol, target, workers = '1', seconds = '60', vus = '50'] = process.argv.slice(2)
const scenario = new URL(`./scenario-${{ http: 'get', ws: 'ws', grpc: 'grpc' }[protocol]}.mjs`, import.meta.url)
const proto = new URL('../../test/fixtures/grpc/echo.proto', import.meta.url).pathname
const data = protocol === 'grpc' ? { address: target, proto } : { url: target }
let updates = 0
// The bench reads RSS samples between these marks (the load), not start-up or the end of run.
process.stdout.write('MARK load-start\n')
const result = await run({ name: 'soak', vus: Number(vus), duration: `${seconds}s`, workers: Number(workers), data, fn: scenario,
  onProgress: (live) => { updates++; live.timelineAt(-1) } })
process.stdout.write('MARK load-end\n')
const json = JSON.stringify(result.toJSON())
process.stdout.write(`RESULT ${JSON.stringify({ requests: result.requests, seconds: result.duration / 1000, errorRate: result.errorRate,
  progressUpdates: updates, timelineSeconds: result.timeline.length, resultBytes: Buffer.byteLength(json) })}\n`)
