// A module scenario for soak runs: one WebSocket session per VU, a request/echo round trip per iteration.
export default async function ({ ws, data, state }) {
  state.session ??= await ws.connect(data.url)
  await state.session.request('ping', () => true, 5000)
}
