/**
 * zod issues → problems `path: what is wrong; what to do`. Generic: it knows nothing of loadspec's
 * option names; callers pass the names to suggest from and an explanation for an option that
 * exists but was given in the wrong place (`option-places.ts`).
 */
import type { z } from 'zod'

export type OptionPath = readonly (string | number)[]

/** One problem with the options; `key` marks a misspelt or misplaced key, which is listed first. */
export interface Problem {
  readonly path: OptionPath
  readonly message: string
  readonly key?: boolean
}

export interface IssueHints {
  /** Option names to suggest from for a misspelt key. */
  readonly names?: readonly string[]
  /** Why `key` is not taken at `path` and where it belongs, when it is a real option elsewhere. */
  readonly explainKey?: (key: string, path: OptionPath) => string | undefined
  /** Says who needs a missing field (`constant-arrival-rate (inferred from rate)`), for fields of the object itself. */
  readonly requiredBy?: string | undefined
}

/** How a received value reads in a message: `"5"`, `-1`, `an object`, `null`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  switch (typeof v) {
    case 'string': return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)
    case 'number': case 'boolean': case 'bigint': return String(v)
    case 'function': return 'a function'
    case 'undefined': return 'undefined'
    default: return `an ${typeof v}`
  }
}

/** zod's issues under `prefix` as problems. */
export function issueProblems(issues: readonly z.core.$ZodIssue[], prefix: OptionPath = [], hints: IssueHints = {}): Problem[] {
  const out: Problem[] = []
  for (const issue of issues) {
    const at = issue.path as (string | number)[]
    const path = [...prefix, ...at]
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const explained = hints.explainKey?.(key, at)
        const near = explained ? undefined : suggest(key, hints.names ?? [])
        out.push({ path: [...path, key], key: true, message: explained ?? `unknown option${near ? `; did you mean "${near}"?` : '; remove it'}` })
      }
    } else if (issue.code === 'invalid_union') {
      out.push({ path, message: issue.message === 'Invalid input' ? 'has the wrong type' : issue.message })
    } else if (hints.requiredBy && at.length === 1 && issue.message.startsWith('is required')) {
      out.push({ path, message: issue.message.replace('is required', `is required by ${hints.requiredBy}`) })
    } else {
      out.push({ path, message: issue.message })
    }
  }
  return out
}

/** The same as lines `path: message`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: OptionPath = [], hints: IssueHints = {}): string[] {
  return issueProblems(issues, prefix, hints).map(formatProblem)
}

export function formatProblem(p: Problem): string {
  return `${formatPath(p.path) || 'options'}: ${p.message}`
}

/** `stages[1].duration`; a key that is not a plain name is quoted: `thresholds["http_req_duration{name:GET /}"]`. */
export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = ''
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`
    else if (!/^[A-Za-z_$][\w$-]*$/.test(String(p))) out += `[${JSON.stringify(String(p))}]`
    else out += out ? `.${String(p)}` : String(p)
  }
  return out
}

function suggest(key: string, names: readonly string[]): string | undefined {
  let best: string | undefined
  let bestD = 3
  for (const k of names) {
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
