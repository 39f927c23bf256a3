// No orphans: a process that owns services and dies without stopAll() (kill -9, Ctrl+C) leaves no
// child process and no container behind; the watchdog removes them. A run whose watchdog died too
// is cleaned up by the next startServices(). The owner is a real Node process
// (test/fixtures/services/owner.mjs) that imports loadspec's services module.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'
import { startServices } from '../../src/index.ts'
import { runsRoot } from '../../src/services/run-state.ts'
import { FIXTURES, labelledContainers, noEngineReason, pidAlive, waitFor } from './helpers.ts'

const SERVICES_MODULE = fileURLToPath(new URL('../../src/services/index.ts', import.meta.url))
const engineMissing = await noEngineReason()
if (engineMissing) console.warn(`orphan tests run without a container: ${engineMissing}`)

interface Owned { owner: ChildProcess; pid: number; child: number; runId: string }
const owners: ChildProcess[] = []
afterEach(() => {
  for (const o of owners.splice(0)) if (o.exitCode === null && o.signalCode === null) o.kill('SIGKILL')
})

/** Starts an owner process (own process group, as a terminal's foreground job) and waits for its report. */
async function startOwner(runId: string, withContainer: boolean): Promise<Owned> {
  const args = ['--max-old-space-size=64', join(FIXTURES, 'owner.mjs'), runId, SERVICES_MODULE, ...(withContainer ? ['--container'] : [])]
  const owner = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  owners.push(owner)
  let out = ''
  let err = ''
  owner.stderr?.on('data', (c: Buffer) => { err += c.toString() })
  const report = await new Promise<{ pid: number; child: number }>((resolve, reject) => {
    owner.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line) resolve(JSON.parse(line) as { pid: number; child: number })
    })
    owner.once('exit', (code) => reject(new Error(`owner exited with ${code} before reporting:\n${out}\n${err}`)))
  })
  return { owner, ...report, runId }
}

async function expectCleanedUp(o: Owned, withContainer: boolean): Promise<void> {
  await waitFor('the service and its child to be killed', () => !pidAlive(o.pid) && !pidAlive(o.child), 30_000)
  if (withContainer) await waitFor('the labelled container to be removed', () => labelledContainers(o.runId).length === 0, 30_000)
  await waitFor('the run directory to be removed', () => !existsSync(join(runsRoot(), o.runId)), 30_000)
}

const withContainer = engineMissing === undefined
const kinds = withContainer ? 'a process service and a container' : 'a process service'

describe('no orphans', () => {
  test.each([
    ['SIGKILL to the owner', (o: Owned) => o.owner.kill('SIGKILL')],
    ['Ctrl+C (SIGINT to its process group)', (o: Owned) => process.kill(-(o.owner.pid ?? 0), 'SIGINT')],
    ['the owner running out of memory', (o: Owned) => o.owner.kill('SIGUSR2')],
  ])(`%s: the watchdog removes ${kinds}`, async (_name, end) => {
    const o = await startOwner(`orphan-${process.pid}-${Date.now()}`, withContainer)
    expect(pidAlive(o.pid) && pidAlive(o.child)).toBe(true)
    if (withContainer) expect(labelledContainers(o.runId)).toHaveLength(1)
    const exited = new Promise<string>((resolve) => o.owner.once('exit', (code, signal) => resolve(String(signal ?? code))))
    end(o)
    expect(await exited).not.toBe('0') // it died, it did not exit cleanly
    await expectCleanedUp(o, withContainer)
  }, 60_000)

  // The watchdog, killed here, stays a zombie when its parent (the owner) dies before reaping it,
  // and this machine's init never reaps it: the sweep must count a zombie as dead.
  test(`a run whose owner and watchdog both died is cleaned up by the next startServices()`, async () => {
    const o = await startOwner(`abandoned-${process.pid}-${Date.now()}`, withContainer)
    const ownerFile = JSON.parse(readFileSync(join(runsRoot(), o.runId, 'owner.json'), 'utf8')) as { watchdog: { pid: number } }
    process.kill(ownerFile.watchdog.pid, 'SIGKILL')
    await waitFor('the watchdog to die', () => !pidAlive(ownerFile.watchdog.pid))
    o.owner.kill('SIGKILL')
    await waitFor('the owner to die', () => o.owner.exitCode !== null || o.owner.signalCode !== null)
    // Nobody is left to clean up: the service still runs.
    expect(pidAlive(o.pid)).toBe(true)
    const next = await startServices({})
    try {
      // startServices() killed them; the kernel reaps them a moment later (an observed event, not a delay).
      await waitFor('the abandoned service to be gone', () => !pidAlive(o.pid) && !pidAlive(o.child))
      if (withContainer) expect(labelledContainers(o.runId)).toEqual([])
      expect(existsSync(join(runsRoot(), o.runId))).toBe(false)
    } finally {
      await next.stopAll()
    }
  }, 60_000)
})
