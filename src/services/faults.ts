/**
 * A block's fault timeline: `faults: [{ at: '10s', service: 'broadcast', action: 'kill' },
 * { at: '20s', for: '5s', service: 'api', toxic: { type: 'latency', latency: 100 } }]`, checked
 * before any load (a service that is not declared, a fault at or past the end of the load), then
 * applied at its time after the load starts and reverted after `for`. Every fault leaves a mark
 * (when it began and ended, relative to the load's start) for phases, recovery and reports; a
 * fault that could not be applied stops the run with an error that says so, never a silent no-op.
 */
import { z } from 'zod'
import { InvalidOptionError, ServiceError } from '../errors.ts'
import { parseDuration, formatDuration } from '../core/duration.ts'
import { parseToxic, type Toxic } from './proxy/index.ts'
import type { FaultProxy } from './proxy/index.ts'
import type { ServiceAction, ServiceSet } from './types.ts'

export const FAULT_ACTIONS = ['kill', 'stop', 'start', 'restart', 'pause', 'unpause'] as const satisfies readonly ServiceAction[]

/** One fault as the user writes it. */
export type FaultSpec =
  | { at: string | number; service: string; action: (typeof FAULT_ACTIONS)[number]; for?: string | number }
  | { at: string | number; service: string; toxic: unknown; for: string | number }

/** A checked fault, times in ms after the load's start. */
export interface PlannedFault {
  readonly index: number
  readonly service: string
  readonly atMs: number
  /** When it is reverted (kill/stop → start, pause → unpause, toxic removed); null: not reverted. */
  readonly untilMs: number | null
  readonly action?: ServiceAction
  readonly toxic?: Toxic
  /** `kill broadcast`, `latency 100 ms on api`. */
  readonly label: string
}

/** What happened: the times a fault was in force, as carried out (ms after the load's start). */
export interface FaultMark {
  readonly index: number
  readonly service: string
  readonly label: string
  readonly atMs: number
  /** When the fault ended: its revert finished, or (without `for`) when the action finished. */
  readonly endMs: number
}

const duration = z.union([z.string(), z.number()])
const actionFault = z.strictObject({ at: duration, service: z.string().min(1), action: z.enum(FAULT_ACTIONS), for: duration.optional() })
const toxicFault = z.strictObject({ at: duration, service: z.string().min(1), toxic: z.unknown(), for: duration })

const REVERT: Partial<Record<ServiceAction, ServiceAction>> = { kill: 'start', stop: 'start', pause: 'unpause' }

/**
 * Checks the faults against the services a block declares and the length of its load.
 * @throws InvalidOptionError naming the fault (`faults[1].at`) and what to change
 */
export function planFaults(faults: unknown, services: readonly string[], loadMs: number): PlannedFault[] {
  if (faults === undefined) return []
  if (!Array.isArray(faults)) throw new InvalidOptionError('faults', `faults: must be a list like [{ at: '10s', service: 'api', action: 'kill' }]; got ${typeof faults}`)
  return faults.map((raw, index) => planOne(raw, index, services, loadMs))
}

function planOne(raw: unknown, index: number, services: readonly string[], loadMs: number): PlannedFault {
  const path = `faults[${index}]`
  const isToxic = typeof raw === 'object' && raw !== null && 'toxic' in raw
  const parsed = (isToxic ? toxicFault : actionFault).safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = [path, ...(issue?.path ?? []).map(String)].join('.')
    const hint = isToxic ? "{ at: '20s', for: '5s', service: 'api', toxic: { type: 'latency', latency: 100 } }" : "{ at: '10s', service: 'api', action: 'kill' }"
    throw new InvalidOptionError(where, `${where}: ${issue?.message ?? 'invalid'}; a fault looks like ${hint}`)
  }
  const f = parsed.data
  if (!services.includes(f.service)) {
    throw new InvalidOptionError(`${path}.service`, `${path}.service: "${f.service}" is not one of the block's services (${services.length ? services.join(', ') : 'none declared'}); declare it in services: { ${f.service}: … }`)
  }
  const atMs = parseDuration(f.at, `${path}.at`)
  if (atMs >= loadMs) {
    throw new InvalidOptionError(`${path}.at`, `${path}.at: ${formatDuration(atMs)} is at or past the end of the load (${formatDuration(loadMs)}), so the fault would never happen; move it earlier or lengthen the load`)
  }
  const forMs = f.for === undefined ? null : parseDuration(f.for, `${path}.for`)
  if (forMs !== null && forMs <= 0) throw new InvalidOptionError(`${path}.for`, `${path}.for: must be longer than 0`)
  if ('action' in f) {
    if (forMs !== null && !REVERT[f.action]) {
      throw new InvalidOptionError(`${path}.for`, `${path}.for: a "${f.action}" has nothing to revert; "for" goes with kill, stop (then start) or pause (then unpause)`)
    }
    return { index, service: f.service, atMs, untilMs: forMs === null ? null : atMs + forMs, action: f.action,
      label: `${f.action} ${f.service}${forMs === null ? '' : ` for ${formatDuration(forMs)}`}` }
  }
  const toxic = parseToxic(f.toxic, ['faults', index, 'toxic'])
  return { index, service: f.service, atMs, untilMs: atMs + (forMs as number), toxic, label: `${toxic.type} on ${f.service} for ${formatDuration(forMs as number)}` }
}

/** The services that need a fault proxy in front of them (those a toxic fault names). */
export function proxiedServices(planned: readonly PlannedFault[]): string[] {
  return [...new Set(planned.filter((f) => f.toxic).map((f) => f.service))]
}

export interface FaultTimeline {
  /** The faults carried out so far, in the order they began. */
  readonly marks: readonly FaultMark[]
  /** Stops the timers and reverts what is still in force; waits for faults under way. */
  stop(): Promise<void>
}

export interface FaultTargets {
  readonly services: ServiceSet
  /** The proxy in front of each service a toxic names. */
  readonly proxies: ReadonlyMap<string, FaultProxy>
}

/**
 * Starts the timeline at the load's start (now). `onError` hears of a fault that could not be
 * applied (the run should stop with it); later faults are not applied after one failed.
 */
export function startFaultTimeline(planned: readonly PlannedFault[], targets: FaultTargets, onError: (err: Error) => void): FaultTimeline {
  const t0 = performance.now()
  const marks: FaultMark[] = []
  const timers = new Set<NodeJS.Timeout>()
  const pending = new Set<Promise<void>>()
  const reverts = new Map<number, () => Promise<void>>()
  let failed = false
  const elapsed = () => performance.now() - t0

  const track = (p: Promise<void>) => { pending.add(p); void p.finally(() => pending.delete(p)) }
  const at = (ms: number, fn: () => Promise<void>) => {
    // A timer can fire up to a millisecond early by performance.now() (libuv rounds its clock to
    // ms): wait out the rest, so a fault never begins before its time.
    const arm = () => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        if (failed) return
        if (elapsed() < ms) arm()
        else track(fn().catch(fail))
      }, Math.max(0, Math.ceil(ms - elapsed())))
      timers.add(timer)
    }
    arm()
  }
  const fail = (err: unknown) => {
    if (failed) return
    failed = true
    onError(err instanceof Error ? err : new ServiceError('', String(err)))
  }

  for (const f of planned) {
    at(f.atMs, async () => {
      const began = elapsed()
      const revert = await apply(f, targets)
      if (f.untilMs === null) {
        marks.push({ index: f.index, service: f.service, label: f.label, atMs: began, endMs: elapsed() })
        return
      }
      reverts.set(f.index, revert)
      at(f.untilMs, async () => {
        reverts.delete(f.index)
        await revert()
        marks.push({ index: f.index, service: f.service, label: f.label, atMs: began, endMs: elapsed() })
      })
    })
  }

  return {
    marks,
    async stop() {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      await Promise.allSettled([...pending])
      // What is still in force is put back, so the system is whole for teardown and the next block.
      for (const revert of reverts.values()) await revert().catch(() => {})
      reverts.clear()
    },
  }
}

/** Carries out a fault; returns what reverts it. */
async function apply(f: PlannedFault, { services, proxies }: FaultTargets): Promise<() => Promise<void>> {
  if (f.toxic) {
    const proxy = proxies.get(f.service)
    if (!proxy) throw new ServiceError(f.service, `fault "${f.label}": no fault proxy stands in front of ${f.service}`)
    if (f.toxic.type === 'down') {
      await proxy.down()
      return () => proxy.up()
    }
    const id = proxy.addToxic(f.toxic)
    return () => proxy.removeToxic(id)
  }
  const action = f.action as ServiceAction
  try {
    await services.act(f.service, action)
  } catch (err) {
    throw new ServiceError(f.service, `fault "${f.label}" could not be applied: ${(err as Error).message}`, [], { cause: err })
  }
  const back = REVERT[action]
  return back ? async () => { await services.act(f.service, back) } : async () => {}
}
