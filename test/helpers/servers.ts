/**
 * Local servers with known behaviour, for tests that check loadspec's figures against the truth.
 * All listen on 127.0.0.1, count what they receive, and close every socket on close().
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'

export interface TestServer {
  readonly url: string
  /** Requests received so far. */
  received(): number
  close(): Promise<void>
}

export async function startServer(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<TestServer> {
  let count = 0
  const server = createServer((req, res) => { count++; handler(req, res, count) })
  server.keepAliveTimeout = 10_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => count,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

/** Every `slowEvery`-th request answers after `slowMs`, the rest at once: 90% instant, 10% at 50 ms. */
export function startLatencyMixServer({ slowEvery = 10, slowMs = 50 } = {}): Promise<TestServer> {
  return startServer((_req, res, n) => {
    if (n % slowEvery === 0) setTimeout(() => res.end('slow'), slowMs)
    else res.end('fast')
  })
}

/** Every `failEvery`-th request gets `status`, the others 200. */
export function startFailingServer({ failEvery = 10, status = 500 } = {}): Promise<TestServer> {
  return startServer((_req, res, n) => {
    res.statusCode = n % failEvery === 0 ? status : 200
    res.end(res.statusCode === 200 ? 'ok' : 'fail')
  })
}

/** Echoes method, path, headers and body as JSON. */
export function startEchoServer(): Promise<TestServer> {
  return startServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
  })
}

/** A TCP server that accepts and then resets every connection, or never answers. */
export async function startRawServer(mode: 'reset' | 'silent'): Promise<TestServer> {
  let count = 0
  const sockets = new Set<Socket>()
  const server = createTcpServer((socket) => {
    count++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    if (mode === 'reset') socket.once('data', () => socket.resetAndDestroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => count,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) }),
  }
}

/** A URL on a port that was just bound and released, so connecting is refused. */
export async function refusedUrl(): Promise<string> {
  const server = createTcpServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

/** Handles of kinds a run could leak, counted by type. */
export function leakableHandles(): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) {
    if (r === 'TCPSocketWrap' || r === 'TCPWrap' || r === 'Timeout' || r === 'TCPServerWrap' || r === 'Immediate') out[r] = (out[r] ?? 0) + 1
  }
  return out
}
