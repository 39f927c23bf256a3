/**
 * Plays one generated response (h1-wire-cases.ts) to a client over loopback and reports what the
 * client made of it: our own HTTP/1.1 connection, or Node's http client, whose response parser is
 * llhttp. Both meet the same server, which writes the response in the case's pieces and waits until
 * the client has read each piece before writing the next, so every client sees the same splits.
 *
 * What is compared (the framing): the verdict (response accepted or an error), status and body of
 * the final response, whether the client knew the response had ended before the server closed,
 * and what follows it: a second request that goes on the same connection when the client kept it,
 * answered by a known response, so bytes the client took for the start of the next response show.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { Agent, request as nodeRequest } from 'node:http'
import { H1Connection, type H1Handler } from '../../src/drivers/h1-connection.ts'
import type { WireCase } from './h1-wire-cases.ts'

/** What a client made of one exchange. */
export type Exchange = { ok: true; status: number; body: string } | { ok: false }

export interface Outcome {
  first: Exchange
  /** The first response ended (or failed) before the server closed the connection. */
  endedBeforeClose: boolean
  /** The second request: null when the server had closed, or the first failed. */
  reused: boolean | null
  second: Exchange | null
}

/** The answer to every second request: well formed, so any difference comes from the bytes before it. */
export const SENTINEL = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext')

/** How long a client may take to settle after an event that must settle it (a safety bound, not a measurement). */
const SETTLE_BOUND_MS = 3_000

interface Pending {
  /** Called with the server side of each request's connection; `first`: the connection's first request. */
  onRequest(socket: Socket, first: boolean): void
}

/** A client under test: sends a request, reports its exchange, and lets the harness see its socket. */
interface ClientUnderTest {
  send(method: string, path: string): Promise<Exchange>
  /** The client side of its connection (for read synchronisation). */
  socket(): Socket | null
  close(): void
}

export class WireHarness {
  private server: Server | null = null
  private port = 0
  private pending: Pending | null = null
  private readonly sockets = new Set<Socket>()

  async start(): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
      socket.on('error', () => {})
      socket.setNoDelay(true)
      let buf = ''
      let requests = 0
      socket.on('data', (d: Buffer) => {
        buf += d.toString('latin1')
        for (let end = buf.indexOf('\r\n\r\n'); end !== -1; end = buf.indexOf('\r\n\r\n')) {
          buf = buf.slice(end + 4)
          this.pending?.onRequest(socket, requests++ === 0)
        }
      })
    })
    this.server = server
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    this.port = (server.address() as AddressInfo).port
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()))
  }

  ours(c: WireCase): Promise<Outcome> {
    let socket: Socket | null = null
    const conn = new H1Connection({ host: '127.0.0.1', port: this.port, authority: `127.0.0.1:${this.port}`, connectTimeoutMs: 5_000, connected: (s) => { socket = s } })
    return this.play(c, {
      send: (method, path) => new Promise<Exchange>((resolve) => conn.dispatch({ method, path, timeoutMs: 60_000, startedAt: performance.now() }, recorder(resolve))),
      socket: () => socket,
      close: () => conn.destroy(),
    })
  }

  node(c: WireCase): Promise<Outcome> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    let socket: Socket | null = null
    return this.play(c, {
      send: (method, path) => new Promise<Exchange>((resolve) => {
        let done = false
        const settle = (e: Exchange) => { if (!done) { done = true; resolve(e) } }
        const req = nodeRequest({ host: '127.0.0.1', port: this.port, method, path, agent }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (d: Buffer) => chunks.push(d))
          res.on('end', () => settle({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }))
          res.on('error', () => settle({ ok: false }))
          res.on('aborted', () => settle({ ok: false }))
        })
        req.on('socket', (s) => { socket = s })
        req.on('error', () => settle({ ok: false }))
        req.end()
      }),
      socket: () => socket,
      close: () => agent.destroy(),
    })
  }

  private async play(c: WireCase, client: ClientUnderTest): Promise<Outcome> {
    let firstSocket: Socket | null = null
    let second: { socket: Socket; reused: boolean } | null = null
    let gotFirst: () => void = () => {}
    const firstArrived = new Promise<void>((r) => { gotFirst = r })
    let gotSecond: () => void = () => {}
    const secondArrived = new Promise<void>((r) => { gotSecond = r })
    this.pending = {
      onRequest: (socket, first) => {
        if (!firstSocket) { firstSocket = socket; gotFirst(); return }
        second = { socket, reused: socket === firstSocket && !first }
        socket.write(SENTINEL)
        gotSecond()
      },
    }
    try {
      let first: Exchange | null = null
      const firstDone = client.send(c.method, '/first').then((e) => { first = e })
      await firstArrived
      const server = firstSocket as unknown as Socket
      // Write the pieces, each once the client has read everything before it.
      let written = 0
      for (const [from, to] of pieces(c)) {
        if (first || server.destroyed) break
        server.write(c.wire.subarray(from, to))
        written += to - from
        await readUpTo(client, written)
        // Whatever that read set off (a response's end, an error) has happened before the next piece.
        await turns(3)
      }
      // Two more turns: whatever the last read set off (ends, errors, stream events) has happened.
      await turns(3)
      const endedBeforeClose = first !== null
      if (!first) {
        server.end()
        await bounded(firstDone)
      }
      const firstOutcome: Exchange = first ?? { ok: false }
      if (!endedBeforeClose || !firstOutcome.ok) return { first: firstOutcome, endedBeforeClose, reused: null, second: null }
      const secondOutcome = await bounded(client.send('GET', '/second'))
      await bounded(secondArrived)
      const s = second as { socket: Socket; reused: boolean } | null
      return { first: firstOutcome, endedBeforeClose, reused: s ? s.reused : null, second: secondOutcome ?? { ok: false } }
    } finally {
      this.pending = null
      client.close()
      for (const s of this.sockets) s.destroy()
    }
  }
}

function recorder(resolve: (e: Exchange) => void): H1Handler {
  let status = 0
  const chunks: Buffer[] = []
  return {
    onConnect() {},
    onRequestSent() {},
    onHeaders(code) { status = code; return true },
    onData(chunk) { chunks.push(Buffer.from(chunk)); return true },
    onComplete() { resolve({ ok: true, status, body: Buffer.concat(chunks).toString('latin1') }) },
    onError() { resolve({ ok: false }) },
  }
}

function pieces(c: WireCase): [number, number][] {
  const out: [number, number][] = []
  let from = 0
  for (const cut of [...c.cuts, c.wire.length]) { if (cut > from) out.push([from, cut]); from = cut }
  return out
}

/** Until the client's socket has read `bytes` (or is gone): the socket's read callbacks have run by then. */
async function readUpTo(client: ClientUnderTest, bytes: number): Promise<void> {
  const t0 = performance.now()
  for (;;) {
    const s = client.socket()
    if (!s || s.destroyed || s.bytesRead >= bytes) return
    if (performance.now() - t0 > SETTLE_BOUND_MS) throw new Error(`client read ${s.bytesRead} of ${bytes} bytes`)
    await turns(1)
  }
}

function turns(n: number): Promise<void> {
  return n <= 0 ? Promise.resolve() : new Promise((r) => setImmediate(() => { void turns(n - 1).then(r) }))
}

/** Waits for `p`, but gives up (undefined) after the safety bound: a client that never settles is a finding, not a hang. */
async function bounded<T>(p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<undefined>((r) => { timer = setTimeout(() => r(undefined), SETTLE_BOUND_MS) })
  try { return await Promise.race([p, limit]) } finally { clearTimeout(timer) }
}
