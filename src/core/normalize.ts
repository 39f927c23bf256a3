/**
 * Options → RunPlan: applies the profile, infers the executor as k6 does, validates everything
 * (one InvalidOptionError for all problems), applies LOADSPEC_SCALE and resolves user types.
 */
import { InvalidOptionError } from '../errors.ts'
import { parseDuration } from './duration.ts'
import { EXECUTORS, blockSchema, scenariosOnlySchema, userTypeSchema, independentSchema, profileSchema, type Executor } from './options-schema.ts'
import { formatPath, formatProblem, issueProblems, type OptionPath, type Problem } from './option-issues.ts'
import { executorLabel, hintsFor } from './option-places.ts'
import { executorProblems } from './executor-checks.ts'
import type { ExecutorPlan, RunPlan, UnitPlan, UserTypePlan } from './plan.ts'
import { unitMaxVUs, executorDurationMs } from './plan.ts'
import type { Thresholds, VuFunction } from './options.ts'
import { scaleExecutor } from './scale.ts'
import { chooseSegment, type SegmentChoice } from './segment-choice.ts'
import { prepareThresholds } from '../metrics/thresholds.ts'

type Obj = Record<string, unknown>
type Fail = (problems: Problem[]) => never

export interface NormalizeContext {
  /** Profile name; defaults to LOADSPEC_PROFILE. */
  profile?: string | undefined
  /** VU/rate multiplier; defaults to LOADSPEC_SCALE or 1. */
  scale?: number | undefined
  /** 'perf' or 'scenario' or 'run', for messages. */
  kind?: string
  /** Shard of the load; defaults to LOADSPEC_SEGMENT / LOADSPEC_EXECUTION_SEGMENT(_SEQUENCE). */
  segment?: SegmentChoice | undefined
}

const DEFAULT_GRACEFUL_STOP_MS = 30_000

export function normalizeOptions(name: string, options: unknown, blockFn: VuFunction<unknown> | undefined, ctx: NormalizeContext = {}): RunPlan {
  const where = `${ctx.kind ?? 'perf'} "${name}"`
  let applied: string | null = null
  const fail: Fail = (problems) => {
    // A typo usually explains a "missing" field too: misspelt and misplaced keys come first.
    const sorted = [...problems.filter((p) => p.key), ...problems.filter((p) => !p.key)]
    const header = `Invalid options for ${where}${applied ? ` (with profile "${applied}")` : ''}:`
    throw new InvalidOptionError(formatPath(sorted[0]?.path ?? []) || 'options', `${header}\n  - ${sorted.map(formatProblem).join('\n  - ')}`)
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail([{ path: [], message: `must be an object; got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}` }])
  const profileName = ctx.profile ?? (process.env['LOADSPEC_PROFILE'] || undefined)
  const scale = ctx.scale ?? readScale(fail)
  const segment = chooseSegment(ctx.segment)
  const profile = applyProfile(options as Obj, profileName, ctx.profile !== undefined ? 'profile' : 'LOADSPEC_PROFILE', fail)
  applied = profile.applied
  const merged = profile.options

  const { executor, inferredFrom } = pickExecutor(merged, ['executor'], fail)
  const scenarios = (merged['scenarios'] ?? {}) as Record<string, Obj>
  const parsed = (executor ? blockSchema(executor) : scenariosOnlySchema).safeParse(merged)
  const scope = { kind: 'block', executor, label: executorLabel(executor, inferredFrom) } as const
  const problems = profile.blame(parsed.success ? (executor ? executorProblems(executor, merged) : []) : issueProblems(parsed.error.issues, [], hintsFor(scope)))

  const entries: { name: string; opts: Obj; executor: Executor | null }[] = []
  if (parsed.success || (typeof merged['scenarios'] === 'object' && merged['scenarios'] !== null)) {
    for (const [sname, sopts] of Object.entries(scenarios)) {
      if (typeof sopts !== 'object' || sopts === null || Array.isArray(sopts)) continue
      const at = ['scenarios', sname]
      const picked = pickExecutor(sopts, [...at, 'executor'], fail)
      const r = (picked.executor ? independentSchema(picked.executor) : userTypeSchema).safeParse(sopts)
      const label = executorLabel(picked.executor, picked.inferredFrom)
      const own = r.success ? (picked.executor ? executorProblems(picked.executor, sopts) : []) : issueProblems(r.error.issues, [], hintsFor({ kind: 'entry', name: sname, executor: picked.executor, label }))
      problems.push(...profile.blame(own.map((p) => ({ ...p, path: [...at, ...p.path] }))))
      entries.push({ name: sname, opts: sopts, executor: picked.executor })
    }
  }
  if (problems.length) fail(problems)

  const shared = entries.filter((e) => !e.executor)
  const hasBlockLoad = !!executor
  if (!hasBlockLoad && shared.length) fail(shared.map((e) => ({ path: ['scenarios', e.name], message: 'has no executor and the block has none to share; give it an executor or give the block one' })))
  const userTypes = (list: typeof entries, fallbackName: string): UserTypePlan[] => {
    const types = list.map((e) => userType(e.name, e.opts, blockFn, merged, fail))
    if (types.length === 0) {
      if (!blockFn) fail([{ path: ['fn'], message: `${where} has no function to run; pass one as the last argument or give every scenario an fn` }])
      types.push({ name: fallbackName, weight: 1, fn: blockFn as VuFunction<unknown>, pacingMs: durOrNull(merged['pacing']), tags: {} })
    }
    return types
  }

  const units: UnitPlan[] = []
  let offset = 0
  const addUnit = (uname: string, opts: Obj, exec: Executor, types: UserTypePlan[]) => {
    const plan = scaleExecutor(toExecutorPlan(exec, opts), scale)
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
    name, units, profile: applied, scale,
    http: { timeoutMs: durOr(http['timeout'], 60_000), discardResponseBodies: http['discardResponseBodies'] === true, baseUrl: http['baseUrl'] as string | undefined },
    tags: (merged['tags'] ?? {}) as Record<string, string>, maxDurationMs, workers: merged['workers'] as number | 'auto' | undefined,
    segment,
    thresholds: prepareThresholds(merged['thresholds'] as Thresholds | undefined),
  }
}

function readScale(fail: Fail): number {
  const raw = process.env['LOADSPEC_SCALE']
  if (raw === undefined || raw === '') return 1
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) fail([{ path: ['LOADSPEC_SCALE'], message: `${JSON.stringify(raw)} is not a positive number; use e.g. LOADSPEC_SCALE=0.1` }])
  return n
}

interface Profiled {
  readonly options: Obj
  /** The profile applied, or null (none chosen, or the block has no profiles). */
  readonly applied: string | null
  /** Re-points problems with an option the profile set to where the user wrote it (`profiles.ci.rate`). */
  readonly blame: (problems: Problem[]) => Problem[]
}

function applyProfile(options: Obj, profile: string | undefined, source: string, fail: Fail): Profiled {
  const none: Profiled = { options, applied: null, blame: (p) => p }
  const profiles = options['profiles'] as Record<string, unknown> | undefined
  if (profiles === undefined) return none
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) fail([{ path: ['profiles'], message: 'must map profile names to option sets, e.g. { ci: { vus: 5 }, full: { vus: 500 } }' }])
  const problems: Problem[] = []
  for (const [pname, p] of Object.entries(profiles)) {
    const r = profileSchema.safeParse(p)
    if (!r.success) problems.push(...issueProblems(r.error.issues, ['profiles', pname], hintsFor({ kind: 'profile' })))
  }
  if (problems.length) fail(problems)
  const names = Object.keys(profiles)
  if (!profile || names.length === 0) return none
  // A block that sizes itself per profile but lacks the one chosen would silently run at the wrong size.
  if (!Object.hasOwn(profiles, profile)) {
    const chosenBy = source === 'profile' ? 'the profile option' : "the variable or the plugin's profile option"
    fail([{ path: [source], message: `${JSON.stringify(profile)} is not a profile of this block (${chosenBy} chose it); its profiles are ${names.join(', ')}. Choose one of them, or add ${formatPath([profile])}: {} to its profiles to run its own options under that name` }])
  }
  const chosen = profiles[profile] as Obj
  const out: Obj = { ...options, ...chosen }
  const over = (chosen['scenarios'] ?? {}) as Record<string, Obj>
  if (chosen['scenarios']) {
    const base = (options['scenarios'] ?? {}) as Record<string, Obj>
    const unknown = Object.keys(over).filter((k) => !Object.hasOwn(base, k))
    if (unknown.length) fail(unknown.map((k) => ({ path: ['profiles', profile, 'scenarios', k], message: `no scenario of that name; scenarios are ${Object.keys(base).join(', ') || '(none)'}` })))
    out['scenarios'] = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, { ...v, ...(over[k] ?? {}) }]))
  }
  // A profile that names another executor replaces the load shape rather than mixing fields.
  if (chosen['executor'] && chosen['executor'] !== options['executor']) {
    for (const k of SIZING_KEYS) if (!(k in chosen)) delete out[k]
  }
  const fromProfile = (path: OptionPath): boolean => {
    const [head, sname, key] = path
    if (head === 'scenarios' && typeof sname === 'string') return key !== undefined && Object.hasOwn(over[sname] ?? {}, key)
    return typeof head === 'string' && head !== 'scenarios' && Object.hasOwn(chosen, head)
  }
  return { options: out, applied: profile, blame: (ps) => ps.map((p) => (fromProfile(p.path) ? { ...p, path: ['profiles', profile, ...p.path] } : p)) }
}

const SIZING_KEYS = ['vus', 'duration', 'stages', 'startVUs', 'gracefulRampDown', 'rate', 'timeUnit', 'preAllocatedVUs', 'maxVUs', 'startRate', 'iterations', 'maxDuration']

/** The executor named, or inferred from the fields as k6's shortcuts do (`inferredFrom` names the field). */
function pickExecutor(o: Obj, path: OptionPath, fail: Fail): { executor: Executor | null; inferredFrom?: string } {
  const e = o['executor']
  if (e === undefined) {
    if ('stages' in o) {
      const arrival = ['rate', 'startRate', 'preAllocatedVUs'].find((k) => k in o)
      return arrival ? { executor: 'ramping-arrival-rate', inferredFrom: `stages and ${arrival}` } : { executor: 'ramping-vus', inferredFrom: 'stages' }
    }
    if ('rate' in o) return { executor: 'constant-arrival-rate', inferredFrom: 'rate' }
    if ('duration' in o) return { executor: 'constant-vus', inferredFrom: 'duration' }
    const closed = ['iterations', 'vus'].find((k) => k in o)
    if (closed) return { executor: 'shared-iterations', inferredFrom: closed }
    return { executor: null }
  }
  if (typeof e === 'string' && (EXECUTORS as readonly string[]).includes(e)) return { executor: e as Executor }
  return fail([{ path, message: `${JSON.stringify(e)} is not an executor; use one of ${EXECUTORS.join(', ')}` }])
}

/** Options that passed validation (schemas and executorProblems) as an executor plan. */
function toExecutorPlan(exec: Executor, o: Obj): ExecutorPlan {
  const num = (k: string, d: number) => (o[k] === undefined ? d : (o[k] as number))
  const stages = () => (o['stages'] as { duration: string | number; target: number }[]).map((s) => ({ durationMs: parseDuration(s.duration), target: s.target }))
  switch (exec) {
    case 'constant-vus': return { kind: exec, vus: num('vus', 1), durationMs: durOr(o['duration'], 0) }
    case 'ramping-vus': return { kind: exec, startVUs: num('startVUs', 1), stages: stages(), gracefulRampDownMs: durOr(o['gracefulRampDown'], DEFAULT_GRACEFUL_STOP_MS) }
    case 'constant-arrival-rate': case 'ramping-arrival-rate': {
      const pre = num('preAllocatedVUs', 1)
      const max = num('maxVUs', pre)
      const perSec = 1000 / durOr(o['timeUnit'], 1000)
      if (exec === 'constant-arrival-rate') return { kind: exec, ratePerSec: num('rate', 1) * perSec, durationMs: durOr(o['duration'], 0), preAllocatedVUs: pre, maxVUs: max }
      return { kind: exec, startRatePerSec: num('startRate', 0) * perSec, stages: stages().map((s) => ({ ...s, target: s.target * perSec })), preAllocatedVUs: pre, maxVUs: max }
    }
    case 'per-vu-iterations': case 'shared-iterations':
      return { kind: exec, vus: num('vus', 1), iterations: num('iterations', 1), maxDurationMs: durOr(o['maxDuration'], 600_000) }
  }
}

function userType(name: string, o: Obj, blockFn: VuFunction<unknown> | undefined, block: Obj, fail: Fail): UserTypePlan {
  const f = (o['fn'] as VuFunction<unknown> | undefined) ?? blockFn
  if (!f) fail([{ path: ['scenarios', name, 'fn'], message: 'this scenario has no function and the block has none; give it an fn' }])
  return { name, weight: (o['weight'] as number | undefined) ?? 1, fn: f as VuFunction<unknown>, pacingMs: durOrNull(o['pacing'] ?? block['pacing']),
    tags: (o['tags'] ?? {}) as Record<string, string> }
}

function durOr(v: unknown, d: number): number {
  return v === undefined ? d : parseDuration(v as string | number)
}
function durOrNull(v: unknown): number | null {
  return v === undefined ? null : parseDuration(v as string | number)
}
