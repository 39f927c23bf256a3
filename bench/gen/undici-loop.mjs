// The floor for a Node client: bare undici Pool.request + body.dump(), CONNS concurrent loops.
import { Pool } from 'undici'

const [url, conns = '50', seconds = '10'] = process.argv.slice(2)
const u = new URL(url)
const pool = new Pool(u.origin, { connections: Number(conns), pipelining: 1 })
const end = Date.now() + Number(seconds) * 1000
let requests = 0
let failed = 0
async function loop() {
  while (Date.now() < end) {
    const { statusCode, body } = await pool.request({ path: u.pathname, method: 'GET' })
    await body.dump()
    requests++
    if (statusCode >= 400) failed++
  }
}
const t0 = performance.now()
await Promise.all(Array.from({ length: Number(conns) }, loop))
const secs = (performance.now() - t0) / 1000
await pool.close()
process.stdout.write(`RESULT ${JSON.stringify({ requests, failed, seconds: secs })}\n`)
