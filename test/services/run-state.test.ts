// Whether a recorded process still runs: a zombie (exited, never reaped) does not. The parent of
// a zombie here is `sleep`, which never waits for its children, as an init that does not reap.
import { spawn } from 'node:child_process'
import { afterEach, describe, expect, test } from 'vitest'
import { isAlive, processStartTime } from '../../src/services/run-state.ts'
import { procState, waitFor } from './helpers.ts'

const parents: number[] = []
afterEach(() => {
  for (const pid of parents.splice(0)) try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
})

/** A process that has exited and that its parent never reaps. */
async function zombie(): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] })
  parents.push(parent.pid ?? 0)
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (c: Buffer) => resolve(Number(c.toString().trim()))))
  await waitFor('the child to become a zombie', () => procState(pid) === 'Z')
  return pid
}

describe('isAlive', () => {
  test('a running process with its recorded start time is alive; one with another start time is not (a reused pid)', () => {
    const me = { pid: process.pid, startTime: processStartTime(process.pid) }
    expect(isAlive(me)).toBe(true)
    expect(isAlive({ ...me, startTime: '1' })).toBe(false)
  })

  test.skipIf(process.platform !== 'linux')('a zombie is dead, though signal 0 still reaches it', async () => {
    const pid = await zombie()
    expect(() => process.kill(pid, 0)).not.toThrow()
    expect(isAlive({ pid, startTime: processStartTime(pid) })).toBe(false)
  })
})
