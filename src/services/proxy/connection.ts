/**
 * One proxied connection: the client's socket, the socket to the upstream, and a link each way.
 * A FIN is passed on as a FIN (half-close, both sockets allow it), an error or reset on one side
 * resets the other, so the client sees what the server did. A toxic that cuts the connection
 * (limit_data, timeout) closes both sides, as Toxiproxy does; reset_peer resets both.
 */
import type { Socket } from 'node:net'
import { Link, type DirectionCounters } from './link.ts'
import { makeStage, type ConnectionToxic } from './make-stage.ts'

export interface ConnectionCounters {
  upstream: DirectionCounters
  downstream: DirectionCounters
  /** Connections reset by a reset_peer toxic. */
  resets: number
  /** Connections the upstream refused or failed (their client was reset). */
  upstreamFailures: number
}

export class ProxyConnection {
  /** Client → upstream. */
  private readonly upLink: Link
  /** Upstream → client. */
  private readonly downLink: Link
  private closing = false
  private open = 2
  private connected = false

  constructor(private readonly client: Socket, private readonly server: Socket, private readonly counters: ConnectionCounters, private readonly onGone: (c: ProxyConnection) => void) {
    const owner = (): { closeAfterEnd(): void; reset(): void; ended(): void } => ({
      closeAfterEnd: () => { this.closing = true },
      reset: () => { counters.resets++; this.reset() },
      ended: () => { if (this.closing) this.close() },
    })
    this.upLink = new Link(client, server, counters.upstream, owner())
    this.downLink = new Link(server, client, counters.downstream, owner())
    server.once('connect', () => { this.connected = true })
    for (const [socket, other] of [[client, server], [server, client]] as const) {
      socket.on('error', () => {
        if (socket === server && !this.connected) counters.upstreamFailures++
        // The other side learns of it as a reset, the nearest a proxy can give (a refused upstream included).
        resetSocket(other)
      })
      socket.once('close', () => { if (--this.open === 0) this.gone() })
    }
  }

  /**
   * Adds toxic `id` to this connection with probability `toxicity`, decided here once for the
   * connection (Toxiproxy draws when a toxic starts running on a link).
   */
  addToxic(id: string, toxic: ConnectionToxic): void {
    if (this.open === 0 || Math.random() >= toxic.toxicity) return
    const link = toxic.stream === 'upstream' ? this.upLink : this.downLink
    link.add(id, makeStage(toxic, link.host))
  }

  removeToxic(id: string): void {
    this.upLink.remove(id)
    this.downLink.remove(id)
  }

  /** Whether toxic `id` acts on this connection (it drew it). */
  has(id: string): boolean {
    return this.upLink.has(id) || this.downLink.has(id)
  }

  /** Closes both sides at once (FIN, or RST where unread data is left), as Toxiproxy's Close. */
  destroy(): void {
    this.client.destroy()
    this.server.destroy()
  }

  /** Ends both sides once their written data has gone out. */
  private close(): void {
    for (const socket of [this.client, this.server]) {
      if (socket.destroyed) continue
      if (socket.writableFinished) { socket.destroy(); continue }
      socket.once('finish', () => socket.destroy())
      if (!socket.writableEnded) socket.end()
    }
  }

  private reset(): void {
    resetSocket(this.client)
    resetSocket(this.server)
  }

  private gone(): void {
    this.upLink.dispose()
    this.downLink.dispose()
    this.onGone(this)
  }
}

function resetSocket(socket: Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy()
}
