// HTTP server that answers after setTimeout(10) and measures each request itself (request event →
// response finish, µs): the "truth" a generator's latency is compared with. GET /__stats returns
// its own p50/p99 (ms) and count, then resets.
import { createServer } from 'node:http'
import hdr from 'hdr-histogram-js'

let h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 })
const server = createServer((req, res) => {
  if (req.url === '/__stats') {
    const body = JSON.stringify({ count: h.totalCount, p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000 })
    h.reset()
    res.end(body)
    return
  }
  const t0 = process.hrtime.bigint()
  res.once('finish', () => h.recordValue(Number((process.hrtime.bigint() - t0) / 1000n)))
  setTimeout(() => res.end('ok'), 10)
})
server.keepAliveTimeout = 120_000
server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`))
process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)) })
