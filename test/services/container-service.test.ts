// Container services against a real engine: local/redis:7, built from Debian's redis-server by
// scripts/docker-engine.sh (no image can be pulled here). Skipped, saying why, when no engine
// testcontainers can use is running. Every assertion reads the engine or the server itself.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ServiceError, container, startServices, type ServiceSet } from '../../src/index.ts'
import { labelledContainers, noEngineReason, redisCommand, waitFor } from './helpers.ts'

const reason = await noEngineReason()
if (reason) console.warn(`container service tests skipped: ${reason}`)

const redis = (options: Parameters<typeof container>[1] = {}) => container('local/redis:7', {
  port: 0, command: ['--port', '{port}', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], ...options,
})
function inspect(id: string): { Running: boolean; Paused: boolean; ExitCode: number } {
  return JSON.parse(execFileSync('docker', ['inspect', '--format', '{{json .State}}', id], { encoding: 'utf8' })) as { Running: boolean; Paused: boolean; ExitCode: number }
}

describe.skipIf(reason !== undefined)('container services (real engine)', () => {
  let set: ServiceSet
  let port: number
  let id: string
  const runId = `ctest-${process.pid}-${Date.now()}`

  beforeAll(async () => {
    set = await startServices({ redis: redis({ ready: { log: /Ready to accept connections/ }, protocol: 'redis' }) }, { runId })
    port = set.get('redis').port ?? 0
    const ids = labelledContainers(runId)
    expect(ids).toHaveLength(1)
    id = ids[0] ?? ''
  })
  afterAll(async () => {
    await set?.stopAll()
  })

  test('started on the host network, labelled with the run id, reachable at 127.0.0.1', async () => {
    expect(set.get('redis')).toEqual({ host: '127.0.0.1', port, address: `127.0.0.1:${port}`, url: `redis://127.0.0.1:${port}` })
    expect(execFileSync('docker', ['inspect', '--format', '{{.HostConfig.NetworkMode}}', id], { encoding: 'utf8' }).trim()).toBe('host')
    expect(await redisCommand(port, 'PING')).toBe('+PONG')
    expect(set.logs('redis').some((l) => /Ready to accept connections/.test(l))).toBe(true)
  })

  test('pause freezes the container (the engine says paused); a command sent meanwhile is answered after unpause', async () => {
    await set.act('redis', 'pause')
    expect(inspect(id).Paused).toBe(true)
    let answeredAt = 0
    const pending = redisCommand(port, 'PING').then((r) => { answeredAt = Date.now(); return r })
    const { startedAt } = await set.act('redis', 'unpause')
    expect(await pending).toBe('+PONG')
    expect(answeredAt).toBeGreaterThanOrEqual(startedAt)
    expect(inspect(id).Paused).toBe(false)
  })

  test('kill ends it at once (exit 137); start brings back the same container, ready', async () => {
    expect(await redisCommand(port, 'SET k v')).toBe('+OK')
    await set.act('redis', 'kill')
    expect(inspect(id)).toMatchObject({ Running: false, ExitCode: 137 })
    await expect(redisCommand(port, 'PING')).rejects.toThrow(/ECONNREFUSED/)
    await set.act('redis', 'start')
    expect(inspect(id).Running).toBe(true)
    expect(await redisCommand(port, 'GET k')).toBe('$-1') // no persistence: a fresh server
    expect(labelledContainers(runId)).toEqual([id])
  })

  test('stop shuts it down cleanly (SIGTERM: exit 0, its shutdown lines kept); restart makes it ready again', async () => {
    await set.act('redis', 'stop')
    expect(inspect(id)).toMatchObject({ Running: false, ExitCode: 0 })
    expect(set.logs('redis').some((l) => /Received SIGTERM/.test(l))).toBe(true)
    await set.act('redis', 'start')
    const before = set.logs('redis').filter((l) => /Ready to accept connections/.test(l)).length
    await set.act('redis', 'restart')
    expect(await redisCommand(port, 'PING')).toBe('+PONG')
    // A new "ready" line per start, none repeated from earlier runs when the log is attached again.
    expect(set.logs('redis').filter((l) => /Ready to accept connections/.test(l)).length).toBe(before + 1)
  })

  test('stopAll removes the container', async () => {
    await set.stopAll()
    expect(labelledContainers(runId)).toEqual([])
    await set.stopAll()
  })
})

describe.skipIf(reason !== undefined)('container readiness and failures (real engine)', () => {
  test('port and command checks (the command runs inside the container)', async () => {
    const set = await startServices({
      byPort: redis(),
      byCommand: redis({ ready: { command: ['/usr/bin/redis-server', '--version'] } }),
    })
    try {
      expect(await redisCommand(set.get('byPort').port ?? 0, 'PING')).toBe('+PONG')
      expect(set.get('byCommand').port).not.toBe(set.get('byPort').port)
    } finally {
      await set.stopAll()
    }
  })

  test('a container that exits at once fails with its output, and is removed', async () => {
    const runId = `cfail-${process.pid}-${Date.now()}`
    const err = await startServices({ bad: container('local/redis:7', { port: 0, command: ['--no-such-option', 'x'] }) }, { runId }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServiceError)
    expect((err as ServiceError).message).toMatch(/^service "bad" exited with code 1 before it was ready/)
    expect((err as ServiceError).logs.join('\n')).toMatch(/Bad directive or wrong number of arguments|no-such-option/)
    expect(labelledContainers(runId)).toEqual([])
  })

  test('after stopAll nothing keeps the process alive: no log stream, exec or socket of the set stays referenced', async () => {
    // testcontainers' engine client is shared by the process and may keep one idle, unreferenced
    // keep-alive socket to the engine; the resources that hold the event loop must be as before.
    const count = (): Record<string, number> => {
      const out: Record<string, number> = {}
      for (const r of process.getActiveResourcesInfo()) if (r !== 'Timeout' && r !== 'Immediate') out[r] = (out[r] ?? 0) + 1
      return out
    }
    const before = JSON.stringify(count())
    const set = await startServices({ r: redis({ ready: { command: ['/usr/bin/redis-server', '--version'] } }) })
    await set.act('r', 'restart')
    await set.stopAll()
    await waitFor(`the resources to be as before (${before})`, () => JSON.stringify(count()) === before, 10_000)
  })

  test('a missing image fails with the engine\'s reason', async () => {
    const err = await startServices({ nope: container('local/loadspec-no-such-image:1', { readyTimeout: '20s' }) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServiceError)
    expect((err as ServiceError).message).toMatch(/^service "nope" could not be started: /)
  })
})
