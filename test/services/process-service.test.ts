// Process services against real processes: a small Node HTTP server (test/fixtures/services) and
// Debian's redis-server when it is installed. Every assertion reads the process itself (its pid in
// /proc, its answers on its port, its output), never loadspec's own idea of its state.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { AbortedError, ServiceError, processService, startServices, type ServiceSet } from '../../src/index.ts'
import { freePort } from '../../src/services/ports.ts'
import { runsRoot } from '../../src/services/run-state.ts'
import { HTTP_SERVER, commandExists, httpText, pidAlive, procState, redisCommand, waitFor } from './helpers.ts'

const node = process.execPath
const started: ServiceSet[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stopAll()))
})
async function start(...args: Parameters<typeof startServices>): Promise<ServiceSet> {
  const set = await startServices(...args)
  started.push(set)
  return set
}
const api = (options: Parameters<typeof processService>[2] = {}, args: string[] = []) =>
  processService(node, [HTTP_SERVER, ...args], { port: 0, env: { PORT: '{port}' }, ...options })
async function pidOf(set: ServiceSet, name = 'api'): Promise<number> {
  return Number((await httpText(`http://${set.get(name).address}/pid`)).text)
}

describe('readiness', () => {
  test('port: resolves once the port accepts connections', async () => {
    const set = await start({ api: api() })
    expect((await httpText(`http://${set.get('api').address}/`)).text).toBe('hello')
  })

  test('http: waits through 5xx answers until the path answers below 500', async () => {
    const set = await start({ api: api({ ready: { http: '/health' }, env: { PORT: '{port}', UNHEALTHY_FOR: '3' } }) })
    const { url, host, port, address } = set.get('api')
    expect(url).toBe(`http://127.0.0.1:${port}`)
    expect([host, address]).toEqual(['127.0.0.1', `127.0.0.1:${port}`])
    // Three 503s were answered before the check passed: the fourth /health was the 200.
    expect(Number((await httpText(`${url}/hits`)).text)).toBe(4)
  })

  test('log: resolves on the first matching line; the line is in logs()', async () => {
    const set = await start({ api: api({ ready: { log: /listening on \d+/ } }) })
    expect(set.logs('api')).toContain(`listening on ${set.get('api').port}`)
    expect(set.logs('api')).toContain('a line on stderr')
  })

  test('command: resolves once the command exits 0', async () => {
    const set = await start({ api: api({ ready: { command: [node, '-e', `fetch('http://127.0.0.1:' + process.env.PORT).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))`] } }) })
    expect((await httpText(`http://${set.get('api').address}/`)).status).toBe(200)
  })

  test('without a port or check the service is ready once started; its address is the host alone', async () => {
    const set = await start({ sleeper: processService(node, ['-e', 'console.log("up"); setInterval(() => {}, 1000)']) })
    expect(set.get('sleeper')).toEqual({ host: '127.0.0.1', address: '127.0.0.1' })
  })

  test('a service that never becomes ready fails at its deadline with its last log lines, and is killed', async () => {
    const err = await startServices({ api: api({ readyTimeout: '1s' }, ['--no-listen']) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServiceError)
    const e = err as ServiceError
    expect(e.service).toBe('api')
    expect(e.message).toMatch(/^service "api" not ready after 1 s \(port check: TCP connect\)\n {2}last \d+ of its log lines:/)
    expect(e.message).toContain('a line on stderr')
    const pid = Number(/starting pid (\d+)/.exec(e.logs.join('\n'))?.[1])
    expect(pid).toBeGreaterThan(0)
    await waitFor('the never-ready process to be killed', () => !pidAlive(pid))
  })

  test('a service that exits before it is ready fails at once with its exit code and output', async () => {
    const err = await startServices({ api: processService(node, ['-e', 'console.error("config missing"); process.exit(3)'], { port: 0 }) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServiceError)
    expect((err as ServiceError).message).toMatch(/^service "api" exited with code 3 before it was ready\n.*\n {4}config missing/)
  })

  test('a command that does not exist fails with the reason', async () => {
    const err = await startServices({ api: processService('/nonexistent/loadspec-test-binary', [], {}) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServiceError)
    expect((err as ServiceError).message).toMatch(/could not be started \(spawn \/nonexistent\/loadspec-test-binary ENOENT\)/)
  })

  test('a later service is not started when an earlier one fails; the earlier ones are stopped', async () => {
    const port = await freePort()
    const marker = join(mkdtempSync(join(tmpdir(), 'loadspec-svc-')), 'third-started')
    const err = await startServices({
      first: processService(node, [HTTP_SERVER], { port, env: { PORT: '{port}' } }),
      broken: processService(node, ['-e', 'process.exit(1)'], { port: 0 }),
      third: processService(node, ['-e', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x')`]),
    }).catch((e: unknown) => e)
    expect((err as ServiceError).service).toBe('broken')
    expect((err as ServiceError).logs).toContain('[loadspec] exited with code 1')
    await expect(httpText(`http://127.0.0.1:${port}/`)).rejects.toThrow() // the first one was stopped
    expect(existsSync(marker)).toBe(false)
  })
})

describe('actions on a process service', () => {
  test('kill ends the whole process group at once; start brings it back on the same port', async () => {
    const set = await start({ api: api({}, ['--child']) })
    const pid = await pidOf(set)
    const child = Number(set.logs('api').map((l) => /child pid (\d+)/.exec(l)?.[1]).find(Boolean))
    expect(pidAlive(child)).toBe(true)
    const result = await set.act('api', 'kill')
    expect(result).toMatchObject({ service: 'api', action: 'kill' })
    expect(result.endedAt).toBeGreaterThanOrEqual(result.startedAt)
    expect(pidAlive(pid)).toBe(false)
    await waitFor('the grandchild to be killed with its group', () => !pidAlive(child))
    expect(set.logs('api').at(-1)).toBe('[loadspec] was ended by SIGKILL')
    expect(set.logs('api')).not.toContain('got SIGTERM, closing')
    await expect(httpText(`http://${set.get('api').address}/`)).rejects.toThrow()

    await set.act('api', 'start')
    const again = await pidOf(set)
    expect(again).not.toBe(pid)
  })

  test('stop sends SIGTERM and waits for the exit; the process shuts down cleanly', async () => {
    const set = await start({ api: api() })
    const pid = await pidOf(set)
    await set.act('api', 'stop')
    expect(pidAlive(pid)).toBe(false)
    expect(set.logs('api').slice(-2)).toEqual(['got SIGTERM, closing', '[loadspec] exited with code 0'])
    await set.act('api', 'stop') // already stopped: nothing to do
    await expect(set.act('api', 'pause')).rejects.toThrow(/service "api" cannot pause: it is stopped/)
  })

  test('stop kills a process that ignores SIGTERM after stopTimeout', async () => {
    const stubborn = processService(node, ['-e', 'process.on("SIGTERM", () => console.log("ignored")); console.log("up"); setInterval(() => {}, 1000)'], {
      ready: { log: /^up$/ }, stopTimeout: '300ms',
    })
    const set = await start({ stubborn })
    await set.act('stubborn', 'stop')
    expect(set.logs('stubborn')).toContain('ignored')
    expect(set.logs('stubborn').slice(-2)).toEqual(['[loadspec] did not stop within 300 ms of SIGTERM; killed', '[loadspec] was ended by SIGKILL'])
  })

  test('restart stops and starts again: a new process, ready before act() resolves', async () => {
    const set = await start({ api: api({ ready: { http: '/health' } }) })
    const pid = await pidOf(set)
    const result = await set.act('api', 'restart')
    expect(pidAlive(pid)).toBe(false)
    expect((await httpText(`${set.get('api').url}/health`)).status).toBe(200)
    expect(await pidOf(set)).not.toBe(pid)
    expect(result.action).toBe('restart')
    await expect(set.act('api', 'start')).rejects.toThrow(/service "api" cannot start: it is running/)
  })

  test('pause stops every process of the group (state T); a request sent meanwhile is answered after unpause', async () => {
    const set = await start({ api: api({}, ['--child']) })
    const pid = await pidOf(set)
    const child = Number(set.logs('api').map((l) => /child pid (\d+)/.exec(l)?.[1]).find(Boolean))
    await set.act('api', 'pause')
    await waitFor('the leader and its child to be stopped', () => procState(pid) === 'T' && procState(child) === 'T')
    await expect(set.act('api', 'pause')).rejects.toThrow(/cannot pause: it is paused/)
    let answeredAt = 0
    const pending = httpText(`http://${set.get('api').address}/pid`).then((r) => { answeredAt = Date.now(); return r })
    const { startedAt } = await set.act('api', 'unpause')
    expect((await pending).text).toBe(String(pid))
    expect(answeredAt).toBeGreaterThanOrEqual(startedAt)
    expect(procState(pid)).not.toBe('T')
    await expect(set.act('api', 'unpause')).rejects.toThrow(/cannot unpause: it is running/)
  })

  test('stop on a paused service still ends it', async () => {
    const set = await start({ api: api() })
    const pid = await pidOf(set)
    await set.act('api', 'pause')
    await set.act('api', 'stop')
    expect(pidAlive(pid)).toBe(false)
  })

  test('a service that exits when its stdin closes runs for the set\'s life (stdin is held open), and stops cleanly', async () => {
    // Exits with 7 as soon as its stdin ends: with a closed stdin it would never become ready.
    const script = "process.stdin.on('end', () => process.exit(7)); process.stdin.resume();" +
      "require('node:http').createServer((q, r) => r.end(String(process.pid))).listen(Number(process.env.PORT), '127.0.0.1')"
    const set = await start({ guarded: processService(node, ['-e', script], { port: 0, env: { PORT: '{port}' } }) })
    const pid = Number((await httpText(`http://${set.get('guarded').address}/`)).text)
    expect(pidAlive(pid)).toBe(true)
    await set.stopAll()
    await waitFor('the guarded service to be gone', () => !pidAlive(pid))
  })

  test('a service that crashes by itself is seen as stopped and can be started again', async () => {
    const set = await start({ api: api() })
    const pid = await pidOf(set)
    process.kill(pid, 'SIGKILL')
    await waitFor('the crash to be noticed', () => set.logs('api').includes('[loadspec] was ended by SIGKILL'))
    await set.act('api', 'start')
    expect(await pidOf(set)).not.toBe(pid)
  })
})

describe('the set', () => {
  test('another service\'s port reaches a service through {name.port}', async () => {
    const set = await start({
      backend: api(),
      front: processService(node, ['-e', 'console.log("backend at " + process.env.BACKEND); setInterval(() => {}, 1000)'], {
        env: { BACKEND: 'http://127.0.0.1:{backend.port}' }, ready: { log: /backend at/ },
      }),
    })
    expect(set.logs('front')).toContain(`backend at http://127.0.0.1:${set.get('backend').port}`)
    expect(set.names).toEqual(['backend', 'front'])
    expect(Object.keys(set.addresses())).toEqual(['backend', 'front'])
  })

  test('unknown names and actions are usage errors; after stopAll the set refuses actions', async () => {
    const set = await start({ api: api() })
    expect(() => set.get('nope')).toThrow(/services.get\("nope"\): no service of that name; the services are "api"/)
    await expect(set.act('api', 'explode' as never)).rejects.toThrow(/the action must be one of kill, stop, start, restart, pause, unpause/)
    await set.stopAll()
    await expect(set.act('api', 'start')).rejects.toThrow(/the services were stopped/)
    expect(set.logs('api').length).toBeGreaterThan(0) // logs stay readable for the report
  })

  test('stopAll ends every process, is safe twice and concurrently, and leaves no handle open', async () => {
    const { createHook } = await import('node:async_hooks')
    const open = new Map<number, string>()
    let tracking = true
    const watched = /^(PROCESSWRAP|PIPEWRAP|TCPWRAP|TCPCONNECTWRAP|Timeout|FSEVENTWRAP|SIGNALWRAP)$/
    const hook = createHook({
      init(id, type) { if (tracking && watched.test(type)) open.set(id, type) },
      destroy(id) { open.delete(id) },
    }).enable()
    let pids: number[] = []
    try {
      const set = await startServices({ a: api({ ready: { http: '/health' } }), b: api({ ready: { log: /listening/ } }, ['--child']) })
      const owner = JSON.parse(readFileSync(join(runsRoot(), set.runId, 'owner.json'), 'utf8')) as { watchdog: { pid: number } }
      pids = [await pidOf(set, 'a'), await pidOf(set, 'b'), owner.watchdog.pid]
      expect(pids.every(pidAlive)).toBe(true)
      await Promise.all([set.stopAll(), set.stopAll()])
      await set.stopAll()
      tracking = false // what the test itself creates from here on (its polling timers) is not the set's
      for (const pid of pids) expect(pidAlive(pid)).toBe(false) // the services and the watchdog
      expect(existsSync(join(runsRoot(), set.runId))).toBe(false)
      await waitFor(`handles to close (open: ${[...open.values()].join(', ')})`, () => open.size === 0, 10_000)
    } finally {
      hook.disable()
    }
  })

  test('an aborted signal stops the start-up and removes what started', async () => {
    const controller = new AbortController()
    const runId = `abort-${process.pid}-${Date.now()}`
    const pending = startServices({ api: api({}, ['--no-listen']) }, { signal: controller.signal, runId }).catch((e: unknown) => e)
    // Abort once the service runs (its pid is recorded), i.e. while its readiness is waited on.
    const record = join(runsRoot(), runId, 'procs', 'api.json')
    const pid = await waitFor('the service to start', () => (existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as { pid: number }).pid : 0))
    controller.abort(new Error('test abort'))
    const err = await pending
    expect(err).toBeInstanceOf(AbortedError)
    expect(pidAlive(pid)).toBe(false)
    expect(existsSync(join(runsRoot(), runId))).toBe(false)
  })
})

describe('the signal after start-up', () => {
  test('aborting once started stops every service', async () => {
    const controller = new AbortController()
    const set = await start({ api: api() }, { signal: controller.signal })
    const pid = await pidOf(set)
    controller.abort()
    await waitFor('the service to be stopped', () => !pidAlive(pid))
    await waitFor('the run directory to be removed', () => !existsSync(join(runsRoot(), set.runId)))
  })
})

describe.skipIf(!commandExists('redis-server'))('redis-server as a process service', () => {
  test('ready by a command check (redis-cli ping); every action observed through the protocol', async () => {
    const redis = processService('redis-server', ['--port', '{port}', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      port: 0, protocol: 'redis', ready: { command: ['redis-cli', '-p', '{port}', 'ping'] },
    })
    const set = await start({ redis })
    const { port, url } = set.get('redis')
    if (port === undefined) throw new Error('redis has a port')
    expect(url).toBe(`redis://127.0.0.1:${port}`)
    expect(await redisCommand(port, 'SET k v')).toBe('+OK')

    await set.act('redis', 'pause')
    let answeredAt = 0
    const pending = redisCommand(port, 'PING').then((r) => { answeredAt = Date.now(); return r })
    const { startedAt } = await set.act('redis', 'unpause')
    expect(await pending).toBe('+PONG')
    expect(answeredAt).toBeGreaterThanOrEqual(startedAt)

    await set.act('redis', 'kill')
    await expect(redisCommand(port, 'PING')).rejects.toThrow(/ECONNREFUSED/)
    await set.act('redis', 'start')
    expect(await redisCommand(port, 'GET k')).toBe('$-1') // a new server: nothing was saved
    await set.act('redis', 'stop')
    expect(set.logs('redis').some((l) => /Received SIGTERM|shutdown/i.test(l))).toBe(true)
    await set.act('redis', 'restart')
    expect(await redisCommand(port, 'PING')).toBe('+PONG')
  })
})
