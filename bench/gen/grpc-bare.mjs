// The floor for gRPC in Node: a bare @grpc/grpc-js client, CONC concurrent loops of unary Say
// (a failed call rejects and ends the process, which fails the measurement: failed is always 0).
import grpc from '@grpc/grpc-js'
import protoLoader from '@grpc/proto-loader'

const [address, conc = '50', seconds = '10'] = process.argv.slice(2)
const proto = new URL('../../test/fixtures/grpc/echo.proto', import.meta.url).pathname
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(proto, { keepCase: true, defaults: true }))
const client = new pkg.echo.Echo(address, grpc.credentials.createInsecure())
const end = Date.now() + Number(seconds) * 1000
let calls = 0
const say = () => new Promise((resolve, reject) => client.Say({ text: 'hi', n: 1 }, (err, r) => (err ? reject(err) : resolve(r))))
async function loop() { while (Date.now() < end) { await say(); calls++ } }
const t0 = performance.now()
await Promise.all(Array.from({ length: Number(conc) }, loop))
const secs = (performance.now() - t0) / 1000
client.close()
process.stdout.write(`RESULT ${JSON.stringify({ calls, failed: 0, seconds: secs })}\n`)
