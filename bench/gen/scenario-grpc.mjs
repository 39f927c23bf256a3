// A module scenario for soak runs: a unary echo call per iteration, one client per VU (one shared channel).
const proto = new URL('../../test/fixtures/grpc/echo.proto', import.meta.url).pathname
export default async function ({ grpc, data, state }) {
  state.echo ??= grpc.client(proto, { address: data.address, service: 'echo.Echo' })
  await state.echo.unary('Say', { text: 'hi', n: 1 })
}
