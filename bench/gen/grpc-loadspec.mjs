// loadspec gRPC: CONC VUs, each with its own client (the clients share one channel per address,
// as grpc-js shares one connection), unary Say in a closed loop, one thread.
import { run } from '../../dist/index.js'

const [address, conc = '50', seconds = '10'] = process.argv.slice(2)
const proto = new URL('../../test/fixtures/grpc/echo.proto', import.meta.url).pathname
const result = await run({ name: 'bench', vus: Number(conc), duration: `${seconds}s`, workers: 0,
  fn: async ({ grpc, state }) => {
    const echo = (state.echo ??= grpc.client(proto, { address, service: 'echo.Echo' }))
    await echo.unary('Say', { text: 'hi', n: 1 })
  } })
process.stdout.write(`RESULT ${JSON.stringify({ calls: result.requests, failed: result.rate('grpc_req_failed')?.passes ?? 0, seconds: result.duration / 1000 })}\n`)
