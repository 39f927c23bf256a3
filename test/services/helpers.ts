// Shared by the services tests: observations of real processes, sockets and containers.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { get } from 'node:http'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { probeContainerRuntime } from '../../src/services/index.ts'

export const FIXTURES = fileURLToPath(new URL('../fixtures/services/', import.meta.url))
export const HTTP_SERVER = `${FIXTURES}http-server.mjs`

/** Polls `check` until it returns something truthy, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(25)
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  // A zombie (exited, not yet reaped by its parent) counts as gone.
  return procState(pid) !== 'Z'
}

/** The process's state letter from /proc (R, S, T when stopped, Z), undefined when it is gone. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]
  } catch {
    return undefined
  }
}

/** Sends one RESP command and resolves with the first reply line, or rejects on a socket error. */
export function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let buffer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      const end = buffer.indexOf('\r\n')
      if (end >= 0) {
        socket.destroy()
        resolve(buffer.slice(0, end))
      }
    })
    socket.on('error', reject)
    socket.on('close', () => reject(new Error('closed without a reply')))
    socket.write(`${command}\r\n`)
  })
}

/** One GET on its own connection (node:http, no agent: nothing stays open after it). */
export function httpText(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      res.on('error', reject)
    })
    req.on('error', reject)
  })
}

export function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Why containers cannot run here, or undefined when they can (testcontainers' own probe). */
export async function noEngineReason(): Promise<string | undefined> {
  const probe = await probeContainerRuntime()
  if (probe.ok) {
    try {
      execFileSync('docker', ['image', 'inspect', 'local/redis:7'], { stdio: 'ignore' })
    } catch {
      return 'the image local/redis:7 is missing (scripts/docker-engine.sh builds it)'
    }
    return undefined
  }
  return `no container engine testcontainers can use (${probe.reason.split('\n')[0]}); scripts/docker-engine.sh installs and starts one`
}

/** Container ids with this run's label, all states. */
export function labelledContainers(runId: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=loadspec.run-id=${runId}`], { encoding: 'utf8' }).split(/\s+/).filter(Boolean)
}
