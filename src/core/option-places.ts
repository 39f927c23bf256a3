/**
 * Where each option belongs, for the message about a real option given in the wrong place:
 * `rate` with `constant-vus` names the executors that take `rate` and what `constant-vus` takes,
 * instead of a "did you mean "rate"?" that suggests the very key that was refused.
 */
import { EXECUTORS, EXECUTOR_FIELDS, SCHEMA_SHAPES, type Executor } from './options-schema.ts'
import type { IssueHints, OptionPath } from './option-issues.ts'

/** What object the options being checked are: the block, one `scenarios` entry, or a profile. */
export type OptionScope =
  | { readonly kind: 'block'; readonly executor: Executor | null; readonly label: string }
  | { readonly kind: 'entry'; readonly name: string; readonly executor: Executor | null; readonly label: string }
  | { readonly kind: 'profile' }

const commonKeys = Object.keys(SCHEMA_SHAPES.common)
const executorKeys = (e: Executor) => [...Object.keys(EXECUTOR_FIELDS[e]), ...commonKeys]
const blockOnly = Object.keys(SCHEMA_SHAPES.block)
const entryKeys = Object.keys(SCHEMA_SHAPES.userType)
const thresholdKeys = Object.keys(SCHEMA_SHAPES.threshold)
const httpKeys = Object.keys(SCHEMA_SHAPES.http)
const stageKeys = ['duration', 'target']

/** Every option name anywhere, for "did you mean" suggestions. */
export const OPTION_NAMES: readonly string[] = [...new Set([...blockOnly, ...commonKeys, ...entryKeys, ...EXECUTORS.flatMap(executorKeys), ...stageKeys, ...thresholdKeys, ...httpKeys])]
const known = new Set(OPTION_NAMES)

const THRESHOLD_EXAMPLE = "thresholds: { http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '10s' }] }"
const PROFILE_TAKES = 'a profile changes sizing (vus, duration, stages, rate, iterations, …), executor, thresholds, pacing, http, timeout, workers and scenarios entries'

/** The hints `issueProblems` needs to word problems of an object in `scope`. */
export function hintsFor(scope: OptionScope): IssueHints {
  return {
    names: OPTION_NAMES,
    explainKey: (key, at) => (known.has(key) ? (at.length ? nested(scope, key, at) : topLevel(scope, key)) : undefined),
    requiredBy: scope.kind === 'profile' ? undefined : scope.label || undefined,
  }
}

function topLevel(scope: OptionScope, key: string): string | undefined {
  const owners = EXECUTORS.filter((e) => executorKeys(e).includes(key))
  if (owners.length) {
    const who = owners.length === EXECUTORS.length ? 'every executor' : owners.join(', ')
    if (scope.kind === 'profile') return undefined
    if (scope.executor) {
      return `is not an option of ${scope.label}; ${key} is taken by ${who}, and ${scope.executor} takes ${executorKeys(scope.executor).join(', ')}: change the executor or remove ${key}`
    }
    if (scope.kind === 'entry') {
      return `is an executor option (taken by ${who}), but this scenario has no executor of its own: it shares the block's VUs; give it an executor or remove ${key}`
    }
    return `is an executor option (taken by ${who}), but this block has no executor of its own: its load is in scenarios; move ${key} into the scenario it is for or give the block an executor`
  }
  if (key === 'target') return `only a stage takes target: stages: [{ duration: '30s', target: 10 }]`
  if (thresholdKeys.includes(key)) return `belongs in a threshold object: ${THRESHOLD_EXAMPLE}`
  if (httpKeys.includes(key) && key !== 'timeout') return `belongs in http: { ${key}: … }`
  if (scope.kind === 'profile') return `a profile cannot set ${key}; ${PROFILE_TAKES}`
  if (scope.kind === 'entry') return `a scenarios entry cannot set ${key}; set it on the block, where it applies to every scenario`
  if (key === 'fn') return `the block's function is the last argument of perf() or scenario(); a function per user type goes in scenarios: { name: { fn } }`
  if (entryKeys.includes(key)) return `only a scenarios entry takes ${key}: scenarios: { name: { ${key}: … } }`
  return undefined
}

/** A known option inside a nested object: say what that object takes. */
function nested(scope: OptionScope, key: string, at: OptionPath): string | undefined {
  const head = at[0]
  if (head === 'stages') return `a stage takes only ${stageKeys.join(' and ')}`
  if (head === 'thresholds') return `a threshold object takes only ${thresholdKeys.join(', ')}`
  if (head === 'http') return `http takes only ${httpKeys.join(', ')}`
  if (scope.kind === 'profile' && head === 'scenarios') {
    return key === 'fn' ? `a profile cannot change a scenario's fn; give the scenario its fn in scenarios` : `a profile's scenarios entry takes sizing, weight, pacing, tags and executor, not ${key}`
  }
  return undefined
}

/** `constant-arrival-rate (inferred from rate)`, or just the executor's name when it was given. */
export function executorLabel(executor: Executor | null, inferredFrom: string | undefined): string {
  if (!executor) return ''
  return inferredFrom ? `${executor} (inferred from ${inferredFrom})` : executor
}

