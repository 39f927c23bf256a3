// A module scenario for soak runs: a unary echo call per iteration, one client per VU (one shared
// channel). The proto's path comes in data: workers run this module from a bundle elsewhere.
export default async function ({ grpc, data, state }) {
  state.echo ??= grpc.client(data.proto, { address: data.address, service: 'echo.Echo' })
  await state.echo.unary('Say', { text: 'hi', n: 1 })
}
