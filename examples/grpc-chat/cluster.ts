/**
 * A gRPC chat cluster like the Goverse stress test's: 3 nodes own the rooms General, Technology,
 * Crypto, Sports and Movies (by hash), and 2 gates accept clients, keep their room membership and
 * receive streams, forward sends to the owning node, and deliver what nodes publish. All in one
 * process, on loopback ports.
 */
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

export const ROOMS = ['General', 'Technology', 'Crypto', 'Sports', 'Movies'] as const
export const CHAT_PROTO = fileURLToPath(new URL('./chat.proto', import.meta.url))

interface ChatMessage { room: string; from: string; text: string; sent_at_ms: number }
interface SendRequest { client: string; room: string; text: string; sent_at_ms: number }
type Ctor = new (address: string, creds: grpc.ChannelCredentials) => grpc.Client & Record<string, (...a: unknown[]) => unknown>
interface ChatPkg { chat: { ChatGate: Ctor & { service: grpc.ServiceDefinition }; ChatNode: Ctor & { service: grpc.ServiceDefinition } } }

export interface ChatCluster {
  /** `host:port` of each gate, for clients. */
  readonly gates: readonly string[]
  stats(): { sent: number; delivered: number; clients: number }
  close(): Promise<void>
}

const owner = (room: string) => [...room].reduce((a, c) => a + c.charCodeAt(0), 0) % 3

export async function startChatCluster(): Promise<ChatCluster> {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(CHAT_PROTO, { keepCase: true, defaults: true })) as unknown as ChatPkg
  const servers: grpc.Server[] = []
  const clients: grpc.Client[] = []
  let sent = 0
  let delivered = 0

  // Nodes: publish to every gate subscribed to them.
  const nodeAddrs: string[] = []
  for (let n = 0; n < 3; n++) {
    const subscribers = new Set<grpc.ServerWritableStream<unknown, ChatMessage>>()
    const server = new grpc.Server()
    server.addService(pkg.chat.ChatNode.service, {
      Publish: (call: grpc.ServerUnaryCall<SendRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        const m = call.request
        for (const s of subscribers) s.write({ room: m.room, from: m.client, text: m.text, sent_at_ms: m.sent_at_ms })
        cb(null, { ok: true })
      },
      Subscribe: (call: grpc.ServerWritableStream<unknown, ChatMessage>) => {
        subscribers.add(call)
        call.on('cancelled', () => subscribers.delete(call))
        call.on('close', () => subscribers.delete(call))
      },
    })
    nodeAddrs.push(await bind(server))
    servers.push(server)
  }

  // Gates: membership and receive streams of their own clients.
  const gates: string[] = []
  for (let g = 0; g < 2; g++) {
    const members = new Map<string, Set<string>>() // room → clients
    const streams = new Map<string, grpc.ServerWritableStream<unknown, ChatMessage>>()
    const nodes = nodeAddrs.map((a) => new pkg.chat.ChatNode(a, grpc.credentials.createInsecure()))
    clients.push(...nodes)
    for (const node of nodes) {
      const sub = node['Subscribe']?.({ gate: `gate-${g}` }) as grpc.ClientReadableStream<ChatMessage>
      sub.on('data', (m: ChatMessage) => {
        for (const c of members.get(m.room) ?? []) { const s = streams.get(c); if (s) { s.write(m); delivered++ } }
      })
      sub.on('error', () => {})
    }
    const server = new grpc.Server()
    const ack = (cb: grpc.sendUnaryData<unknown>, error = '') => cb(null, { ok: error === '', error })
    server.addService(pkg.chat.ChatGate.service, {
      ListRooms: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { rooms: [...ROOMS] }),
      Join: (call: grpc.ServerUnaryCall<{ client: string; room: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        const { client, room } = call.request
        if (!(ROOMS as readonly string[]).includes(room)) return cb({ code: grpc.status.NOT_FOUND, details: `no room ${room}` })
        const set = members.get(room) ?? new Set()
        members.set(room, set)
        set.add(client)
        ack(cb)
      },
      Leave: (call: grpc.ServerUnaryCall<{ client: string; room: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        members.get(call.request.room)?.delete(call.request.client)
        ack(cb)
      },
      Send: (call: grpc.ServerUnaryCall<SendRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        const m = call.request
        if (!members.get(m.room)?.has(m.client)) return cb({ code: grpc.status.FAILED_PRECONDITION, details: `${m.client} is not in ${m.room}` })
        sent++
        const node = nodes[owner(m.room)] as grpc.Client & Record<string, (...a: unknown[]) => unknown>
        node['Publish']?.(m, (err: grpc.ServiceError | null) => (err ? cb(err) : ack(cb)))
      },
      Receive: (call: grpc.ServerWritableStream<{ client: string }, ChatMessage>) => {
        const client = call.request.client
        streams.set(client, call)
        // A client that opened a new stream keeps its rooms when its old one closes: only the end
        // of its current stream takes it out of them.
        const drop = () => {
          if (streams.get(client) !== call) return
          streams.delete(client)
          for (const set of members.values()) set.delete(client)
        }
        call.on('cancelled', drop)
        call.on('close', drop)
      },
    })
    gates.push(await bind(server))
    servers.push(server)
  }

  return {
    gates,
    stats: () => ({ sent, delivered, clients: 0 }),
    async close() {
      for (const c of clients) c.close()
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.forceShutdown(); r() })))
    },
  }
}

function bind(server: grpc.Server): Promise<string> {
  return new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(`127.0.0.1:${port}`))))
}
