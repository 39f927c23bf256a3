/**
 * Runtime validation of user options with zod. Every problem in one block is reported in ONE
 * InvalidOptionError whose lines name the option path and what to change; unknown keys are errors
 * (with a "did you mean" when one is close), never silently ignored.
 */
import { z } from 'zod'
import { parseDurationOrNull, DURATION_HINT } from './duration.ts'

const EXECUTORS = ['constant-vus', 'ramping-vus', 'constant-arrival-rate', 'ramping-arrival-rate', 'per-vu-iterations', 'shared-iterations'] as const
export { EXECUTORS }

const duration = z.union([z.number(), z.string()], { error: `must be a duration: ${DURATION_HINT}` }).superRefine((v, ctx) => {
  if (parseDurationOrNull(v) === null) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a duration; use ${DURATION_HINT}` })
})
const count = (what: string, min = 1) => z.number({ error: `must be a whole number of ${what}` })
  .int({ error: `must be a whole number of ${what}` })
  .min(min, { error: (i) => `must be at least ${min} ${what}; got ${String(i.input)}` })
const positive = (what: string) => z.number({ error: `must be a number of ${what}` })
  .positive({ error: (i) => `must be a positive number of ${what}; got ${String(i.input)}` })
const nonNegative = (what: string) => z.number({ error: `must be a number of ${what}` })
  .nonnegative({ error: (i) => `must be 0 or more ${what}; got ${String(i.input)}` })
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: 'must be a function' })
const tags = z.record(z.string(), z.string({ error: 'tag values must be strings' }))
const vuStages = z.array(z.strictObject({ duration, target: count('VUs', 0) }), { error: 'must be an array of { duration, target }' })
  .min(1, { error: 'needs at least one stage' })
const rateStages = z.array(z.strictObject({ duration, target: nonNegative('iterations per timeUnit') }), { error: 'must be an array of { duration, target }' })
  .min(1, { error: 'needs at least one stage' })
const thresholdSpec = z.union([z.string(), z.strictObject({ threshold: z.string(), abortOnFail: z.boolean().optional(), delayAbortEval: duration.optional() })],
  { error: "must be a string like 'p(95)<500' or { threshold, abortOnFail, delayAbortEval }" })
const thresholds = z.record(z.string(), z.union([thresholdSpec, z.array(thresholdSpec)]))

const common = { gracefulStop: duration.optional(), startTime: duration.optional() }
/** Fields of each executor (k6 names). */
export const EXECUTOR_FIELDS = {
  'constant-vus': { vus: count('VUs'), duration },
  'ramping-vus': { startVUs: count('VUs', 0).optional(), stages: vuStages, gracefulRampDown: duration.optional() },
  'constant-arrival-rate': { rate: positive('iterations per timeUnit'), timeUnit: duration.optional(), duration, preAllocatedVUs: count('VUs'), maxVUs: count('VUs').optional() },
  'ramping-arrival-rate': { startRate: nonNegative('iterations per timeUnit').optional(), timeUnit: duration.optional(), stages: rateStages, preAllocatedVUs: count('VUs'), maxVUs: count('VUs').optional() },
  'per-vu-iterations': { vus: count('VUs').optional(), iterations: count('iterations').optional(), maxDuration: duration.optional() },
  'shared-iterations': { vus: count('VUs').optional(), iterations: count('iterations').optional(), maxDuration: duration.optional() },
} as const

const http = z.strictObject({ timeout: duration.optional(), discardResponseBodies: z.boolean().optional(), baseUrl: z.url({ error: 'must be an absolute URL like http://127.0.0.1:8080' }).optional() })
const userTypeExtras = { weight: positive('shares').optional(), fn: fn.optional(), pacing: duration.optional(), tags: tags.optional(), executor: z.string().optional() }
export const BLOCK_FIELDS = {
  thresholds: thresholds.optional(), setup: fn.optional(), teardown: fn.optional(), onProgress: fn.optional(), profiles: z.record(z.string(), z.unknown()).optional(),
  scenarios: z.record(z.string(), z.record(z.string(), z.unknown()), { error: 'must map scenario names to options objects' }).optional(),
  pacing: duration.optional(), http: http.optional(), tags: tags.optional(), timeout: duration.optional(), data: z.unknown().optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, { error: 'must be an AbortSignal' }).optional(),
  executor: z.string().optional(), workers: z.union([z.literal('auto'), count('workers', 0)]).optional(),
}

/** Every option name that exists anywhere, for "did you mean" suggestions. */
const KNOWN_NAMES = [...new Set([...Object.keys(BLOCK_FIELDS), ...Object.keys(common), ...Object.keys(userTypeExtras),
  ...Object.values(EXECUTOR_FIELDS).flatMap((f) => Object.keys(f)), 'target', 'threshold', 'abortOnFail', 'delayAbortEval'])]

/** Schema of a block (top level) for one executor. */
export function blockSchema(executor: (typeof EXECUTORS)[number]) {
  return z.strictObject({ ...BLOCK_FIELDS, ...common, ...EXECUTOR_FIELDS[executor] })
}
/** Schema of a block whose load is all in independent `scenarios`. */
export const scenariosOnlySchema = z.strictObject({ ...BLOCK_FIELDS, ...common })
/** Schema of a `scenarios` entry that shares the block's executor (a weighted user type). */
export const userTypeSchema = z.strictObject({ ...userTypeExtras, startTime: duration.optional() })
/** Schema of a `scenarios` entry with its own executor (an independent k6 scenario). */
export function independentSchema(executor: (typeof EXECUTORS)[number]) {
  return z.strictObject({ ...userTypeExtras, ...common, ...EXECUTOR_FIELDS[executor] })
}
/** Schema of a profile: sizing fields of any executor and a few block fields. */
export const profileSchema = z.strictObject({
  ...common, ...Object.assign({}, ...Object.values(EXECUTOR_FIELDS).map((f) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.optional()])))),
  executor: z.string().optional(), thresholds: thresholds.optional(), pacing: duration.optional(), http: http.optional(), timeout: duration.optional(),
  scenarios: z.record(z.string(), z.record(z.string(), z.unknown())).optional(), workers: BLOCK_FIELDS.workers,
})

/** Turns zod issues into lines `path: what is wrong; what to do`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly (string | number)[] = []): string[] {
  const lines: string[] = []
  for (const issue of issues) {
    const path = formatPath([...prefix, ...(issue.path as (string | number)[])])
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const near = suggest(key)
        lines.push(`${formatPath([...prefix, ...(issue.path as (string | number)[]), key])}: unknown option${near ? `; did you mean "${near}"?` : '; remove it'}`)
      }
    } else if (issue.code === 'invalid_union' && issue.errors.length) {
      lines.push(`${path || 'options'}: ${issue.message === 'Invalid input' ? 'has the wrong type' : issue.message}`)
    } else {
      lines.push(`${path || 'options'}: ${issue.message}`)
    }
  }
  return lines
}

export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p)
  return out
}

function suggest(key: string): string | undefined {
  let best: string | undefined
  let bestD = 3
  for (const k of KNOWN_NAMES) {
    const d = levenshtein(key.toLowerCase(), k.toLowerCase())
    if (d < bestD) { bestD = d; best = k }
  }
  return best
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length] as number
}
