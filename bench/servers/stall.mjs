// HTTP server that answers at once, except for one stall: from STALL_AT_MS to STALL_AT_MS +
// STALL_MS after the first request, every response waits for the stall's end.
import { createServer } from 'node:http'

const STALL_AT_MS = Number(process.env.STALL_AT_MS ?? 4000)
const STALL_MS = Number(process.env.STALL_MS ?? 1000)
let t0 = 0
const held = []
const server = createServer((req, res) => {
  const now = Date.now()
  if (!t0) {
    t0 = now
    setTimeout(() => { for (const r of held.splice(0)) r.end('ok') }, STALL_AT_MS + STALL_MS)
  }
  const since = now - t0
  if (since >= STALL_AT_MS && since < STALL_AT_MS + STALL_MS) held.push(res)
  else res.end('ok')
})
server.keepAliveTimeout = 120_000
server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`))
process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)) })
