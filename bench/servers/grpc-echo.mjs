// gRPC server with echo.Echo/Say, for the unary-call cost benchmark.
import grpc from '@grpc/grpc-js'
import protoLoader from '@grpc/proto-loader'

const proto = new URL('../../test/fixtures/grpc/echo.proto', import.meta.url).pathname
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(proto, { keepCase: true, defaults: true }))
const server = new grpc.Server()
server.addService(pkg.echo.Echo.service, { Say: (call, cb) => cb(null, call.request) })
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err
  process.stdout.write(`READY ${port}\n`)
})
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)))
