/**
 * Plain TCP peers for the fault proxy's tests: an upstream that hands each accepted socket to the
 * test, and a client that records every read, so a test sees bytes, reads and closes as they
 * happened on the wire.
 */
import { once } from 'node:events'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

export interface Upstream {
  readonly port: number
  /** Sockets accepted so far, in order. */
  readonly sockets: Socket[]
  /** Resolves with the n-th (1-based) accepted socket. */
  accepted(n: number): Promise<Socket>
  close(): Promise<void>
}

/** A TCP server on 127.0.0.1 that runs `onSocket` for each connection and closes them all on close(). */
export async function startUpstream(onSocket: (socket: Socket) => void = () => {}): Promise<Upstream> {
  const sockets: Socket[] = []
  const waiting: { n: number; resolve: (s: Socket) => void }[] = []
  const server = createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    onSocket(socket)
    for (const w of waiting.filter((x) => x.n === sockets.length)) w.resolve(socket)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    accepted: (n) => (sockets[n - 1] ? Promise.resolve(sockets[n - 1] as Socket) : new Promise((resolve) => waiting.push({ n, resolve }))),
    close: async () => {
      const closing = sockets.filter((s) => !s.closed).map((s) => once(s, 'close'))
      for (const s of sockets) s.destroy()
      await Promise.all([...closing, new Promise<void>((resolve) => server.close(() => resolve()))])
    },
  }
}

export interface Received {
  data: Buffer
  /** Number of 'data' events (socket reads). */
  reads: number
  /** performance.now() of the first read, the end (FIN) and the close. */
  firstAt: number | undefined
  endAt: number | undefined
  closedAt: number
  /** The error the socket closed with, if any (ECONNRESET for a reset). */
  error: NodeJS.ErrnoException | undefined
}

export interface Client {
  readonly socket: Socket
  /** Everything received until the socket closed. */
  readonly done: Promise<Received>
  /** Resolves once at least `n` bytes have arrived, with all bytes so far. */
  bytes(n: number): Promise<Buffer>
}

/** Connects to 127.0.0.1:port and records what arrives until the socket closes. */
export async function startClient(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port })
  const chunks: Buffer[] = []
  let size = 0
  const rec: Omit<Received, 'data' | 'closedAt'> = { reads: 0, firstAt: undefined, endAt: undefined, error: undefined }
  const waiting: { n: number; resolve: (b: Buffer) => void }[] = []
  socket.on('data', (d: Buffer) => {
    rec.firstAt ??= performance.now()
    rec.reads++
    chunks.push(d)
    size += d.length
    for (const w of waiting.filter((x) => size >= x.n)) w.resolve(Buffer.concat(chunks))
  })
  socket.on('end', () => { rec.endAt = performance.now() })
  socket.on('error', (e: NodeJS.ErrnoException) => { rec.error = e })
  // Not events.once: it rejects on 'error', and a reset is something to record here.
  const done = new Promise<Received>((resolve) => socket.once('close', () => resolve({ ...rec, data: Buffer.concat(chunks), closedAt: performance.now() })))
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  return {
    socket,
    done,
    bytes: (n) => (size >= n ? Promise.resolve(Buffer.concat(chunks)) : new Promise((resolve) => waiting.push({ n, resolve }))),
  }
}

/** Resolves with everything `socket` receives until it has `n` bytes. */
export function readBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (d: Buffer) => {
      chunks.push(d)
      size += d.length
      if (size >= n) { socket.off('data', onData); resolve(Buffer.concat(chunks)) }
    }
    socket.on('data', onData)
  })
}

/** Deterministic bytes of a given length, so a test can compare what arrived with what was sent. */
export function pattern(length: number): Buffer {
  const b = Buffer.alloc(length)
  for (let i = 0; i < length; i++) b[i] = (i * 31 + 7) & 0xff
  return b
}

/** Handles and timers this process holds, counted by kind (`TCPSocketWrap`, `Timeout`, …). */
export function resources(): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1
  return out
}
