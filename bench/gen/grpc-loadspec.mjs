// loadspec gRPC: CONC VUs sharing nothing but the process, unary Say in a closed loop, one thread.
import { run } from '../../dist/index.js'

const [address, conc = '50', seconds = '10'] = process.argv.slice(2)
const proto = new URL('../../test/fixtures/grpc/echo.proto', import.meta.url).pathname
const clients = new Map()
const result = await run({ name: 'bench', vus: Number(conc), duration: `${seconds}s`, workers: 0,
  fn: async ({ grpc, vu }) => {
    let echo = clients.get(vu.id)
    if (!echo) { echo = grpc.client(proto, { address, service: 'echo.Echo' }); clients.set(vu.id, echo) }
    await echo.unary('Say', { text: 'hi', n: 1 })
  } })
process.stdout.write(`RESULT ${JSON.stringify({ calls: result.counter('grpc_reqs')?.count ?? 0, seconds: result.duration / 1000 })}\n`)
