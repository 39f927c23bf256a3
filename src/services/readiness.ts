/**
 * Readiness checks: retried until they pass, the deadline passes, the service exits, or the
 * signal aborts. The `log` check listens from before the service starts, so a line printed at once
 * is not missed and lines of an earlier run (before a restart) do not count.
 */
import { request } from 'node:http'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { AbortedError } from '../errors.ts'
import type { LogLines } from './log-lines.ts'
import type { ReadyCheck } from './types.ts'

/** Between attempts of a port, http or command check: short, since a start-up is waited on. */
const RETRY_MS = 50
const ATTEMPT_TIMEOUT_MS = 2_000

export interface ReadinessTarget {
  readonly host: string
  readonly port: number | undefined
  readonly logs: LogLines
  /** Runs a command check; resolves with its exit code. */
  runCommand(command: readonly string[], timeoutMs: number): Promise<number>
  /** Why the service is gone (`exited with code 1`), or undefined while it runs. */
  gone(): string | undefined
}

/** Why a check did not pass: the deadline, or the service ending first. */
export class NotReady {
  readonly reason: string
  constructor(reason: string) {
    this.reason = reason
  }
}

/**
 * Starts listening (for `log`); `wait()` then resolves when ready or with a `NotReady`.
 * `cancel()` releases the listener when the launch failed and nothing is to be waited for.
 */
export function watchReadiness(check: ReadyCheck | undefined, target: ReadinessTarget, timeoutMs: number, signal?: AbortSignal): { wait(): Promise<NotReady | undefined>; cancel(): void } {
  let matched = false
  let unsubscribe: (() => void) | undefined
  if (check && 'log' in check) {
    const pattern = typeof check.log === 'string' ? new RegExp(check.log) : check.log
    unsubscribe = target.logs.onLine((line) => {
      pattern.lastIndex = 0
      if (pattern.test(line)) matched = true
    })
  }
  const wait = async (): Promise<NotReady | undefined> => {
    const deadline = performance.now() + timeoutMs
    try {
      for (;;) {
        if (signal?.aborted) throw new AbortedError('Service start-up was aborted', { cause: signal.reason })
        const gone = target.gone()
        if (gone) return new NotReady(`${gone} before it was ready`)
        const left = deadline - performance.now()
        if (left <= 0) return new NotReady(`not ready after ${formatMs(timeoutMs)} (${describeCheck(check)})`)
        if (await attempt(check, target, Math.min(ATTEMPT_TIMEOUT_MS, left), () => matched)) {
          // A process can pass a check and die at once (a port opened by another process): look again.
          const after = target.gone()
          return after ? new NotReady(`${after} before it was ready`) : undefined
        }
        await sleep(RETRY_MS, undefined, signal ? { signal } : undefined).catch(() => undefined)
      }
    } finally {
      unsubscribe?.()
    }
  }
  return { wait, cancel: () => unsubscribe?.() }
}

async function attempt(check: ReadyCheck | undefined, target: ReadinessTarget, timeoutMs: number, logMatched: () => boolean): Promise<boolean> {
  if (!check) return true
  if ('log' in check) return logMatched()
  if ('command' in check) return (await target.runCommand(check.command, timeoutMs).catch(() => -1)) === 0
  if (target.port === undefined) return false
  if ('http' in check) return httpAnswers(target.host, target.port, check.http, timeoutMs)
  return tcpConnects(target.host, target.port, timeoutMs)
}

function tcpConnects(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

function httpAnswers(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', agent: false, timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      res.resume()
      resolve((res.statusCode ?? 500) < 500)
      res.once('end', () => req.destroy())
    })
    req.once('error', () => resolve(false))
    req.once('timeout', () => {
      req.destroy()
      resolve(false)
    })
    req.end()
  })
}

export function describeCheck(check: ReadyCheck | undefined): string {
  if (!check) return 'started'
  if ('port' in check) return 'port check: TCP connect'
  if ('http' in check) return `http check: GET ${check.http} answering below 500`
  if ('log' in check) return `log check: a line matching ${String(check.log)}`
  return `command check: ${check.command.join(' ')} exiting 0`
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
