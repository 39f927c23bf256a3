/**
 * Ports of a service set. `port: 0` is replaced by a free port before anything starts, so every
 * service's command can name any other's port (`{redis.port}`) whatever the start order.
 * The port is found by binding 127.0.0.1:0 and closing: another process could take it in between,
 * which a service then reports as a failed start (its log says the address is in use).
 */
import { createServer } from 'node:net'
import { InvalidOptionError } from '../errors.ts'

/** A port the kernel says is free at 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Each service's port after `0` is replaced by a free one (distinct from the others picked). */
export async function assignPorts(requested: Readonly<Record<string, number | undefined>>): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {}
  const taken = new Set(Object.values(requested).filter((p): p is number => typeof p === 'number' && p > 0))
  for (const [name, port] of Object.entries(requested)) {
    if (port !== 0) {
      out[name] = port
      continue
    }
    let picked = await freePort()
    for (let tries = 0; taken.has(picked) && tries < 20; tries++) picked = await freePort()
    taken.add(picked)
    out[name] = picked
  }
  return out
}

const PLACEHOLDER = /\{(?:([A-Za-z0-9_-]+)\.)?port\}/g

/**
 * Replaces `{port}` (this service's port) and `{name.port}` (service `name`'s) in a command word or
 * an environment value. Other braces are left alone, so JSON arguments pass through.
 * @throws {InvalidOptionError} for a placeholder naming no service, or a service without a port
 */
export function fillPorts(text: string, self: string, ports: Readonly<Record<string, number | undefined>>): string {
  return text.replace(PLACEHOLDER, (whole, other: string | undefined) => {
    const name = other ?? self
    if (!Object.hasOwn(ports, name)) {
      throw new InvalidOptionError(`${self}`, `service "${self}": ${whole} names no service; the services are ${Object.keys(ports).map((n) => `"${n}"`).join(', ')}`)
    }
    const port = ports[name]
    if (port === undefined) throw new InvalidOptionError(`${name}.port`, `service "${self}": ${whole} is used but service "${name}" has no port; set its port (0 picks a free one)`)
    return String(port)
  })
}
