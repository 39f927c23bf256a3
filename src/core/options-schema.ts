/**
 * Runtime validation of user options with zod. Every problem in one block is reported in ONE
 * InvalidOptionError whose lines name the option path and what to change; unknown keys are errors
 * (with a "did you mean" when one is close, or where the option belongs when it is a real option
 * in the wrong place), never silently ignored. Wording of zod's issues: `option-issues.ts`.
 */
import { z } from 'zod'
import { parseDurationOrNull, DURATION_HINT } from './duration.ts'
import { describeValue } from './option-issues.ts'

const EXECUTORS = ['constant-vus', 'ramping-vus', 'constant-arrival-rate', 'ramping-arrival-rate', 'per-vu-iterations', 'shared-iterations'] as const
export { EXECUTORS }
export type Executor = (typeof EXECUTORS)[number]
export { formatIssues, formatPath, issueProblems, type Problem } from './option-issues.ts'

/** Messages for a missing field start with this, so the formatter can say which executor needs it. */
const required = (what: string) => `is required: give ${what}`
const wrong = (what: string, input: unknown) => (input === undefined ? required(what) : `must be ${what}; got ${describeValue(input)}`)

const duration = z.union([z.number(), z.string()], { error: (i) => wrong(`a duration: ${DURATION_HINT}`, i.input) }).superRefine((v, ctx) => {
  if (typeof v === 'number' && v < 0) ctx.addIssue({ code: 'custom', message: `must be 0 or more ms; got ${v}` })
  else if (parseDurationOrNull(v) === null) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a duration; use ${DURATION_HINT}` })
})
/** A duration that must be longer than 0: a load length, a time unit, a timeout. */
const span = (why: string) => duration.superRefine((v, ctx) => {
  if (parseDurationOrNull(v) === 0) ctx.addIssue({ code: 'custom', message: `must be longer than 0 (got ${JSON.stringify(v)}); ${why}` })
})
const count = (what: string, min = 1) => z.number({ error: (i) => wrong(`a whole number of ${what}`, i.input) })
  .int({ error: (i) => `must be a whole number of ${what}; got ${describeValue(i.input)}` })
  .min(min, { error: (i) => `must be ${min} or more ${what}; got ${String(i.input)}` })
const positive = (what: string) => z.number({ error: (i) => wrong(`a number of ${what}`, i.input) })
  .positive({ error: (i) => `must be a positive number of ${what}; got ${String(i.input)}` })
const nonNegative = (what: string) => z.number({ error: (i) => wrong(`a number of ${what}`, i.input) })
  .nonnegative({ error: (i) => `must be 0 or more ${what}; got ${String(i.input)}` })
const bool = z.boolean({ error: (i) => wrong('true or false', i.input) })
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: (i) => wrong('a function', i.input) })
/** An options object; zod's own "expected record" says neither what goes in nor what came. */
const object = <T extends z.ZodType>(values: T, example: string) => z.record(z.string(), values, { error: (i) => wrong(`an object like ${example}`, i.input) })
const tags = object(z.string({ error: (i) => wrong('a string (tag values are strings)', i.input) }), "{ team: 'chat' }")

type JsKind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'function'
/**
 * A union chosen by the input's JS type. zod's union reports "wrong type" for the whole value when
 * a field deep inside the object branch is wrong; dispatching first reports that field itself.
 */
function byType(branches: Partial<Record<JsKind, z.ZodType>>, what: string) {
  return z.unknown().superRefine((v, ctx) => {
    const kind: JsKind | 'null' | 'undefined' = v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsKind | 'undefined')
    const schema = kind === 'null' || kind === 'undefined' ? undefined : branches[kind]
    if (!schema) { ctx.addIssue({ code: 'custom', message: wrong(what, v) }); return }
    const r = schema.safeParse(v)
    if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, input: v } as Parameters<typeof ctx.addIssue>[0])
  })
}

const stage = (target: z.ZodType) => z.strictObject({ duration, target }, { error: (i) => wrong('a stage { duration, target }', i.input) })
const stages = (target: z.ZodType) => z.array(stage(target), { error: (i) => wrong("an array of stages like [{ duration: '30s', target: 10 }]", i.input) })
  .min(1, { error: 'needs at least one stage' })
const vuStages = stages(count('VUs', 0))
const rateStages = stages(nonNegative('iterations per timeUnit'))

const THRESHOLD_HINT = "an expression like 'p(95)<500'"
const thresholdObject = z.strictObject({
  threshold: z.string({ error: (i) => wrong("a threshold expression like 'rate<0.01'", i.input) }),
  abortOnFail: bool.optional(),
  delayAbortEval: duration.optional(),
})
const thresholdSpec = byType({ string: z.string(), object: thresholdObject }, `${THRESHOLD_HINT} or { threshold, abortOnFail, delayAbortEval }`)
const thresholds = object(byType({ string: z.string(), object: thresholdObject, array: z.array(thresholdSpec) },
  `${THRESHOLD_HINT}, { threshold, abortOnFail, delayAbortEval } or an array of them`), "{ http_req_duration: ['p(95)<500'] }")
const executorName = z.enum(EXECUTORS, { error: (i) => `${JSON.stringify(i.input)} is not an executor; use one of ${EXECUTORS.join(', ')}` })

const LOAD_LENGTH = 'a load of 0 ms runs nothing'
const common = { gracefulStop: duration.optional(), startTime: duration.optional() }
/** Fields of each executor (k6 names). k6 itself refuses a zero duration, timeUnit or maxDuration (lib/executor/*.go Validate). */
export const EXECUTOR_FIELDS = {
  'constant-vus': { vus: count('VUs'), duration: span(LOAD_LENGTH) },
  'ramping-vus': { startVUs: count('VUs', 0).optional(), stages: vuStages, gracefulRampDown: duration.optional() },
  'constant-arrival-rate': { rate: positive('iterations per timeUnit'), timeUnit: span("rates are iterations per timeUnit, e.g. '1s'").optional(), duration: span(LOAD_LENGTH),
    preAllocatedVUs: count('VUs'), maxVUs: count('VUs').optional() },
  'ramping-arrival-rate': { startRate: nonNegative('iterations per timeUnit').optional(), timeUnit: span("rates are iterations per timeUnit, e.g. '1s'").optional(), stages: rateStages,
    preAllocatedVUs: count('VUs'), maxVUs: count('VUs').optional() },
  'per-vu-iterations': { vus: count('VUs').optional(), iterations: count('iterations').optional(), maxDuration: span('the iterations would be stopped at once').optional() },
  'shared-iterations': { vus: count('VUs').optional(), iterations: count('iterations').optional(), maxDuration: span('the iterations would be stopped at once').optional() },
} as const

const http = z.strictObject({
  timeout: span('every request would time out at once').optional(),
  discardResponseBodies: bool.optional(),
  baseUrl: z.url({ protocol: /^https?$/, error: (i) => wrong('an absolute http:// or https:// URL like http://127.0.0.1:8080', i.input) }).optional(),
}, { error: (i) => wrong("an object like { timeout: '10s', baseUrl: 'http://127.0.0.1:8080' }", i.input) })
const workers = byType({ number: count('workers', 0), string: z.literal('auto', { error: (i) => wrong("a number of workers or 'auto'", i.input) }) }, "a number of workers or 'auto'")
const userTypeExtras = { weight: positive('shares').optional(), fn: fn.optional(), pacing: duration.optional(), tags: tags.optional(), executor: z.string().optional() }
/** A service made by container() / processService(), or a sharedServices() handle (harness/shared-services.ts). */
const serviceDefinition = z.custom((v) => typeof v === 'object' && v !== null && ['container', 'process'].includes(String((v as { kind?: unknown }).kind)),
  { error: (i) => wrong('a service made by container(image, options) or processService(command, args, options)', i.input) })
const isShared = (v: unknown) => typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[Symbol.for('loadspec.sharedServices')] === true
const services = z.unknown().superRefine((v, ctx) => {
  if (isShared(v)) return
  const r = object(serviceDefinition, "{ api: processService('node', ['server.js'], { port: 0 }) }").safeParse(v)
  if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, input: v } as Parameters<typeof ctx.addIssue>[0])
})
/** Each fault is checked in full by planFaults (services/faults.ts), which knows the services and the load's length. */
const faults = z.array(z.record(z.string(), z.unknown(), { error: (i) => wrong("a fault like { at: '10s', service: 'api', action: 'kill' }", i.input) }),
  { error: (i) => wrong("a list of faults like [{ at: '10s', service: 'api', action: 'kill' }]", i.input) })
const scenarioEntries = object(z.record(z.string(), z.unknown(), { error: (i) => wrong('an options object like { weight: 1, fn }', i.input) }), '{ normal: { weight: 10 }, heavy: { weight: 1 } }')
export const BLOCK_FIELDS = {
  thresholds: thresholds.optional(), setup: fn.optional(), teardown: fn.optional(), onProgress: fn.optional(),
  profiles: object(z.unknown(), "{ ci: { vus: 5 }, full: { vus: 500 } }").optional(),
  scenarios: scenarioEntries.optional(),
  pacing: duration.optional(), http: http.optional(), tags: tags.optional(),
  timeout: span('0 would turn the test timeout off; leave timeout out for the planned length + gracefulStop + 30s').optional(),
  data: z.unknown().optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, { error: (i) => wrong('an AbortSignal', i.input) }).optional(),
  executor: z.string().optional(), workers: workers.optional(),
  services: services.optional(), faults: faults.optional(),
}

/** Schema of a block (top level) for one executor. */
export function blockSchema(executor: Executor) {
  return z.strictObject({ ...BLOCK_FIELDS, ...common, ...EXECUTOR_FIELDS[executor] })
}
/** Schema of a block whose load is all in independent `scenarios`. */
export const scenariosOnlySchema = z.strictObject({ ...BLOCK_FIELDS, ...common })
/** Schema of a `scenarios` entry that shares the block's executor (a weighted user type). */
export const userTypeSchema = z.strictObject({ ...userTypeExtras, startTime: duration.optional() })
/** Schema of a `scenarios` entry with its own executor (an independent k6 scenario). */
export function independentSchema(executor: Executor) {
  return z.strictObject({ ...userTypeExtras, ...common, ...EXECUTOR_FIELDS[executor] })
}

/** Every sizing field of any executor, each optional: what profiles may set. */
const sizing = Object.assign({}, ...Object.values(EXECUTOR_FIELDS).map((f) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.optional()])))) as Record<string, z.ZodType>
/** A profile's change to one `scenarios` entry: sizing and weight, never its function. */
const profileScenario = z.strictObject({ ...sizing, ...common, weight: userTypeExtras.weight, pacing: userTypeExtras.pacing, tags: userTypeExtras.tags, executor: executorName.optional() },
  { error: (i) => wrong('an options object like { vus: 5 }', i.input) })
/** Schema of a profile: sizing fields of any executor and a few block fields. */
export const profileSchema = z.strictObject({
  ...common, ...sizing,
  executor: executorName.optional(), thresholds: thresholds.optional(), pacing: duration.optional(), http: http.optional(), timeout: BLOCK_FIELDS.timeout,
  scenarios: object(profileScenario, '{ heavy: { weight: 2 } }').optional(), workers: BLOCK_FIELDS.workers,
  // A profile's load has its own length, so it may time its faults anew.
  faults: faults.optional(),
}, { error: (i) => wrong('an options object like { vus: 5, duration: \'10s\' }', i.input) })

/** The pieces `option-places.ts` reads to say where an option given in the wrong place belongs. */
export const SCHEMA_SHAPES = { common, block: BLOCK_FIELDS, userType: userTypeSchema.shape, profile: profileSchema.shape, threshold: thresholdObject.shape, http: http.shape }
