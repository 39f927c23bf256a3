/**
 * The gRPC chat stress suite (Goverse seed): clients spread over both gates of a 3-node cluster,
 * each holding a receive stream; they join a room (General, Technology, Crypto, Sports, Movies),
 * then send (60%), leave (10%) or idle (30%) with think time 0.5–5 s. Message delivery latency
 * (sender's timestamp to each receiver) is a custom trend; per-client statistics are printed while
 * it runs (every 30 s in `full`, like the seed's --stats-interval; every 2 s in `ci`). `ci`: 6 clients for 3 s.
 */
import { afterAll, beforeAll } from 'vitest'
import { perf } from '../src/plugin/vitest/index.ts'
import type { GrpcServiceClient, PerfResult } from '../src/index.ts'
import { CHAT_PROTO, ROOMS, startChatCluster, type ChatCluster } from '../examples/grpc-chat/cluster.ts'

let cluster: ChatCluster
beforeAll(async () => { cluster = await startChatCluster() })
afterAll(async () => { await cluster.close() })

interface Data { gates: string[]; proto: string; think: [number, number] }
interface ChatMessage { room: string; from: string; text: string; sent_at_ms: number }
/** Epoch ms with µs resolution, comparable between threads on one machine. */
const now = () => performance.timeOrigin + performance.now()

/** Periodic per-client statistics, from the live result (merged over workers). */
let lastStats = 0
function clientStats(live: PerfResult): void {
  const every = process.env['LOADSPEC_PROFILE'] === 'full' ? 30_000 : 2_000
  if (live.duration - lastStats < every) return
  lastStats = live.duration
  const rows = live.metricTagValues('messages_received', 'client').sort().map((c) =>
    `  ${c}: sent ${live.counter('messages_sent', { client: c })?.count ?? 0}, received ${live.counter('messages_received', { client: c })?.count ?? 0}`)
  process.stdout.write(`[chat stats at ${Math.round(live.duration / 1000)} s]\n${rows.join('\n')}\n`)
}

perf<Data>('grpc chat: clients over both gates joining, sending and leaving rooms', {
  executor: 'constant-vus', vus: 50, duration: '10m', gracefulStop: '10s',
  profiles: { ci: { vus: 6, duration: '3s', gracefulStop: '2s' }, full: {} },
  thresholds: { grpc_req_failed: ['rate<0.01'], message_delivery: ['p(95)<250'], 'grpc_reqs{name:chat.ChatGate/Send}': ['count>0'] },
  onProgress: clientStats,
  setup: () => ({ gates: [...cluster.gates], proto: CHAT_PROTO, think: process.env['LOADSPEC_PROFILE'] === 'full' ? [0.5, 5] : [0.05, 0.3] }),
}, async ({ grpc, data, vu, state, pick, sleep, metrics }) => {
  const name = `client-${vu.id}`
  if (!state['chat']) {
    // Clients alternate between the two gates. The receive stream is held for the whole session:
    // the gate keeps a client's rooms only while it is open.
    const chat = grpc.client(data.proto, { address: data.gates[vu.id % data.gates.length] as string, service: 'chat.ChatGate' })
    state['chat'] = chat
    const inbox = chat.serverStream<ChatMessage>('Receive', { client: name })
    // Created now, not on the first delivery, so the message_delivery threshold always has its metric.
    const delivery = metrics.trend('message_delivery')
    void (async () => {
      for (let m = await inbox.next(undefined, 3_600_000); m; m = await inbox.next(undefined, 3_600_000)) {
        if (m.from !== name) delivery.add(now() - m.sent_at_ms)
        metrics.counter('messages_received').add(1, { client: name })
      }
      // The stream ended, so the gate dropped this client from its room: start over, as the gate did.
      if (state['chat'] === chat) { chat.close(); state['chat'] = undefined; state['room'] = undefined }
    })()
  }
  const chat = state['chat'] as GrpcServiceClient
  const room = state['room'] as string | undefined
  if (!room) {
    const next = ROOMS[Math.floor(Math.random() * ROOMS.length)] as string
    if ((await chat.unary('Join', { client: name, room: next })).ok) state['room'] = next
  } else {
    const action = pick({ send: 60, leave: 10, idle: 30 })
    if (action === 'send') {
      const r = await chat.unary('Send', { client: name, room, text: `hello from ${name}`, sent_at_ms: now() })
      if (r.ok) metrics.counter('messages_sent').add(1, { client: name })
      // The gate says we are not in the room (it dropped us): believe it and join again.
      else if (r.status === 'FAILED_PRECONDITION') state['room'] = undefined
    } else if (action === 'leave') {
      // Left only when the gate says so; otherwise the client is still in the room.
      if ((await chat.unary('Leave', { client: name, room })).ok) state['room'] = undefined
    }
  }
  await sleep(data.think)
})
