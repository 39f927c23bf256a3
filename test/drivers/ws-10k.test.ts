/**
 * 10 000 concurrent WebSocket sessions on this machine (2 cores): opened with bounded handshakes,
 * all alive at once, every one receiving a broadcast, and all closed after the run.
 */
import { execSync, fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { run } from '../../src/index.ts'

const SESSIONS = 10_000
const fdLimit = Number(execSync('sh -c "ulimit -n"').toString().trim())
let child: ChildProcess
let url = ''

const count = () => new Promise<number>((resolve) => { child.once('message', (n) => resolve(n as number)); child.send('count') })

describe.skipIf(fdLimit < SESSIONS + 2000)(`ws driver at ${SESSIONS} sessions (needs ulimit -n ≥ ${SESSIONS + 2000}; this machine: ${fdLimit})`, () => {
  beforeAll(async () => {
    child = fork(fileURLToPath(new URL('../helpers/ws-broadcast-server.mjs', import.meta.url)), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
    const port = await new Promise<string>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())))
    url = `ws://127.0.0.1:${port}/`
  })
  afterAll(() => { child.kill() })

  test('10 000 sessions open at once, all receive a broadcast, and all are closed after the run', async () => {
    let open = 0
    const result = await run({ iterations: 1, data: { url }, timeout: '2m', fn: async ({ ws, data }) => {
      const fan = await ws.fanout((data as { url: string }).url, { sessions: SESSIONS })
      open = fan.sessions.length
      const event = await fan.measure(() => fan.sessions[0]?.send('broadcast:hello'), (m) => m.text === 'hello', 30_000)
      expect(event.delivered).toBe(SESSIONS)
    } })
    expect(open).toBe(SESSIONS)
    expect(result.counter('ws_sessions')?.count).toBe(SESSIONS)
    expect(result.rate('ws_fanout_delivered')).toMatchObject({ passes: SESSIONS, fails: 0 })
    expect(result.errors.total).toBe(0)
    // the run closed every session: the server sees none left
    for (let i = 0; i < 50 && (await count()) > 0; i++) await new Promise((r) => setTimeout(r, 100))
    expect(await count()).toBe(0)
  }, 120_000)
})
