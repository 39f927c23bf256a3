/**
 * Options → RunPlan: applies the profile, infers the executor as k6 does, validates everything
 * (one InvalidOptionError for all problems), applies LOADSPEC_SCALE and resolves user types.
 */
import { InvalidOptionError } from '../errors.ts'
import { parseDuration } from './duration.ts'
import { EXECUTORS, blockSchema, scenariosOnlySchema, userTypeSchema, independentSchema, profileSchema, formatIssues } from './options-schema.ts'
import type { ExecutorPlan, RunPlan, UnitPlan, UserTypePlan } from './plan.ts'
import { unitMaxVUs, executorDurationMs } from './plan.ts'
import type { Thresholds, VuFunction } from './options.ts'
import { scaleExecutor } from './scale.ts'
import { prepareThresholds } from '../metrics/thresholds.ts'

type Executor = (typeof EXECUTORS)[number]
type Obj = Record<string, unknown>

export interface NormalizeContext {
  /** Profile name; defaults to LOADSPEC_PROFILE. */
  profile?: string | undefined
  /** VU/rate multiplier; defaults to LOADSPEC_SCALE or 1. */
  scale?: number | undefined
  /** 'perf' or 'scenario' or 'run', for messages. */
  kind?: string
}

const DEFAULT_GRACEFUL_STOP_MS = 30_000

export function normalizeOptions(name: string, options: unknown, blockFn: VuFunction<unknown> | undefined, ctx: NormalizeContext = {}): RunPlan {
  const where = `${ctx.kind ?? 'perf'} "${name}"`
  const fail = (lines: string[]): never => {
    // A typo usually explains a "missing" field too: unknown options come first.
    lines = [...lines.filter((l) => l.includes('unknown option')), ...lines.filter((l) => !l.includes('unknown option'))]
    const first = lines[0] ?? 'options'
    throw new InvalidOptionError(first.split(':')[0] ?? 'options', `Invalid options for ${where}:\n  - ${lines.join('\n  - ')}`)
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail([`options: must be an object; got ${options === null ? 'null' : typeof options}`])
  const profileName = ctx.profile ?? (process.env['LOADSPEC_PROFILE'] || undefined)
  const scale = ctx.scale ?? readScale(fail)
  const merged = applyProfile(options as Obj, profileName, fail)

  const executor = pickExecutor(merged, 'executor', fail)
  const scenarios = (merged['scenarios'] ?? {}) as Record<string, Obj>
  const parsed = (executor ? blockSchema(executor) : scenariosOnlySchema).safeParse(merged)
  const lines = parsed.success ? [] : formatIssues(parsed.error.issues)

  const entries: { name: string; opts: Obj; executor: Executor | null }[] = []
  if (parsed.success || typeof merged['scenarios'] === 'object') {
    for (const [sname, sopts] of Object.entries(scenarios)) {
      if (typeof sopts !== 'object' || sopts === null) continue
      const sexec = pickExecutor(sopts, `scenarios.${sname}.executor`, fail)
      const r = (sexec ? independentSchema(sexec) : userTypeSchema).safeParse(sopts)
      if (!r.success) lines.push(...formatIssues(r.error.issues, ['scenarios', sname]))
      entries.push({ name: sname, opts: sopts, executor: sexec })
    }
  }
  if (lines.length) fail(lines)

  const shared = entries.filter((e) => !e.executor)
  const hasBlockLoad = !!executor
  if (!hasBlockLoad && shared.length) fail(shared.map((e) => `scenarios.${e.name}: has no executor and the block has none to share; give it an executor or give the block one`))
  const userTypes = (list: typeof entries, fallbackName: string): UserTypePlan[] => {
    const types = list.map((e) => userType(e.name, e.opts, blockFn, merged, fail))
    if (types.length === 0) {
      if (!blockFn) fail([`fn: ${where} has no function to run; pass one as the last argument or give every scenario an fn`])
      types.push({ name: fallbackName, weight: 1, fn: blockFn as VuFunction<unknown>, pacingMs: durOrNull(merged['pacing']), tags: {} })
    }
    return types
  }

  const units: UnitPlan[] = []
  let offset = 0
  const addUnit = (uname: string, opts: Obj, exec: Executor, types: UserTypePlan[]) => {
    const plan = scaleExecutor(toExecutorPlan(exec, opts, uname === 'default' ? '' : `scenarios.${uname}.`, fail), scale)
    units.push({ name: uname, executor: plan, startTimeMs: durOr(opts['startTime'], 0), gracefulStopMs: durOr(opts['gracefulStop'] ?? merged['gracefulStop'], DEFAULT_GRACEFUL_STOP_MS),
      userTypes: types, vuIdOffset: offset })
    offset += unitMaxVUs(plan)
  }
  if (hasBlockLoad) addUnit('default', merged, executor, userTypes(shared, 'default'))
  for (const e of entries) if (e.executor) addUnit(e.name, e.opts, e.executor, userTypes([e], e.name))
  if (units.length === 0) addUnit('default', { ...merged, executor: 'shared-iterations' }, 'shared-iterations', userTypes([], 'default'))

  const http = (merged['http'] ?? {}) as Obj
  const maxDurationMs = Math.max(...units.map((u) => u.startTimeMs + executorDurationMs(u.executor) + u.gracefulStopMs))
  return {
    name, units, profile: profileName && (options as Obj)['profiles'] && ((options as Obj)['profiles'] as Obj)[profileName] ? profileName : null, scale,
    http: { timeoutMs: durOr(http['timeout'], 60_000), discardResponseBodies: http['discardResponseBodies'] === true, baseUrl: http['baseUrl'] as string | undefined },
    tags: (merged['tags'] ?? {}) as Record<string, string>, maxDurationMs, workers: merged['workers'] as number | 'auto' | undefined,
    thresholds: prepareThresholds(merged['thresholds'] as Thresholds | undefined),
  }
}

function readScale(fail: (l: string[]) => never): number {
  const raw = process.env['LOADSPEC_SCALE']
  if (raw === undefined || raw === '') return 1
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) fail([`LOADSPEC_SCALE: ${JSON.stringify(raw)} is not a positive number; use e.g. LOADSPEC_SCALE=0.1`])
  return n
}

function applyProfile(options: Obj, profile: string | undefined, fail: (l: string[]) => never): Obj {
  const profiles = options['profiles'] as Record<string, unknown> | undefined
  if (profiles === undefined) return options
  if (typeof profiles !== 'object' || profiles === null) fail(['profiles: must map profile names to option sets, e.g. { ci: { vus: 5 }, full: { vus: 500 } }'])
  const lines: string[] = []
  for (const [pname, p] of Object.entries(profiles)) {
    const r = profileSchema.safeParse(p)
    if (!r.success) lines.push(...formatIssues(r.error.issues, ['profiles', pname]))
  }
  if (lines.length) fail(lines)
  const chosen = profile ? (profiles[profile] as Obj | undefined) : undefined
  if (!chosen) return options
  const out: Obj = { ...options, ...chosen }
  if (chosen['scenarios']) {
    const base = (options['scenarios'] ?? {}) as Record<string, Obj>
    const over = chosen['scenarios'] as Record<string, Obj>
    const unknown = Object.keys(over).filter((k) => !(k in base))
    if (unknown.length) fail(unknown.map((k) => `profiles.${profile}.scenarios.${k}: no scenario of that name; scenarios are ${Object.keys(base).join(', ') || '(none)'}`))
    out['scenarios'] = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, { ...v, ...(over[k] ?? {}) }]))
  }
  // A profile that names another executor replaces the load shape rather than mixing fields.
  if (chosen['executor'] && chosen['executor'] !== options['executor']) {
    for (const k of SIZING_KEYS) if (!(k in chosen)) delete out[k]
  }
  return out
}

const SIZING_KEYS = ['vus', 'duration', 'stages', 'startVUs', 'gracefulRampDown', 'rate', 'timeUnit', 'preAllocatedVUs', 'maxVUs', 'startRate', 'iterations', 'maxDuration']

function pickExecutor(o: Obj, path: string, fail: (l: string[]) => never): Executor | null {
  const e = o['executor']
  if (e === undefined) {
    if ('stages' in o) return 'rate' in o || 'startRate' in o || 'preAllocatedVUs' in o ? 'ramping-arrival-rate' : 'ramping-vus'
    if ('rate' in o) return 'constant-arrival-rate'
    if ('duration' in o) return 'constant-vus'
    if ('iterations' in o || 'vus' in o) return 'shared-iterations'
    return null
  }
  if (typeof e === 'string' && (EXECUTORS as readonly string[]).includes(e)) return e as Executor
  return fail([`${path}: ${JSON.stringify(e)} is not an executor; use one of ${EXECUTORS.join(', ')}`])
}

function toExecutorPlan(exec: Executor, o: Obj, prefix: string, fail: (l: string[]) => never): ExecutorPlan {
  const num = (k: string, d: number) => (o[k] === undefined ? d : (o[k] as number))
  const stages = () => (o['stages'] as { duration: string | number; target: number }[]).map((s) => ({ durationMs: parseDuration(s.duration), target: s.target }))
  switch (exec) {
    case 'constant-vus': return { kind: exec, vus: num('vus', 1), durationMs: durOr(o['duration'], 0) }
    case 'ramping-vus': return { kind: exec, startVUs: num('startVUs', 1), stages: stages(), gracefulRampDownMs: durOr(o['gracefulRampDown'], DEFAULT_GRACEFUL_STOP_MS) }
    case 'constant-arrival-rate': case 'ramping-arrival-rate': {
      const pre = num('preAllocatedVUs', 1)
      const max = num('maxVUs', pre)
      if (max < pre) fail([`${prefix}maxVUs: ${max} is less than preAllocatedVUs (${pre}); raise maxVUs or leave it out`])
      const perSec = 1000 / durOr(o['timeUnit'], 1000)
      if (exec === 'constant-arrival-rate') return { kind: exec, ratePerSec: num('rate', 1) * perSec, durationMs: durOr(o['duration'], 0), preAllocatedVUs: pre, maxVUs: max }
      return { kind: exec, startRatePerSec: num('startRate', 0) * perSec, stages: stages().map((s) => ({ ...s, target: s.target * perSec })), preAllocatedVUs: pre, maxVUs: max }
    }
    case 'per-vu-iterations': case 'shared-iterations':
      return { kind: exec, vus: num('vus', 1), iterations: num('iterations', 1), maxDurationMs: durOr(o['maxDuration'], 600_000) }
  }
}

function userType(name: string, o: Obj, blockFn: VuFunction<unknown> | undefined, block: Obj, fail: (l: string[]) => never): UserTypePlan {
  const f = (o['fn'] as VuFunction<unknown> | undefined) ?? blockFn
  if (!f) fail([`scenarios.${name}.fn: this scenario has no function and the block has none; give it an fn`])
  return { name, weight: (o['weight'] as number | undefined) ?? 1, fn: f as VuFunction<unknown>, pacingMs: durOrNull(o['pacing'] ?? block['pacing']),
    tags: (o['tags'] ?? {}) as Record<string, string> }
}

function durOr(v: unknown, d: number): number {
  return v === undefined ? d : parseDuration(v as string | number)
}
function durOrNull(v: unknown): number | null {
  return v === undefined ? null : parseDuration(v as string | number)
}
