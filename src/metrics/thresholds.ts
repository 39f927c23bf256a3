/**
 * k6 thresholds: `{ 'http_req_duration{name:POST /messages}': ['p(95)<500', { threshold: 'rate<0.01',
 * abortOnFail: true, delayAbortEval: '10s' }] }`. Parsed once, up front (every bad expression in one
 * InvalidThresholdError; the grammar is threshold-parser.ts), then evaluated against any
 * MetricQuery: a live snapshot or the final result. Whether each threshold fits its metric's type
 * is threshold-metrics.ts's job, before and during the load.
 */
import { InvalidThresholdError } from '../errors.ts'
import { parseDurationOrNull, type Duration } from '../core/duration.ts'
import type { MetricQuery, MetricValues } from './values.ts'
import { EXPRESSION_HINT, parseExpression, parseMetricKey, type ThresholdMethod, type ThresholdOp } from './threshold-parser.ts'
import { checkThresholdTypes, typeProblem } from './threshold-metrics.ts'

export type { ThresholdMethod, ThresholdOp } from './threshold-parser.ts'
export type ThresholdSpec = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: Duration }

export interface ParsedThreshold {
  readonly key: string
  readonly metric: string
  readonly tags: Readonly<Record<string, string>>
  readonly source: string
  readonly method: ThresholdMethod
  readonly percentile?: number
  readonly op: ThresholdOp
  readonly bound: number
  readonly abortOnFail: boolean
  readonly delayAbortEvalMs: number
}

export interface ThresholdOutcome {
  readonly key: string
  readonly source: string
  readonly ok: boolean
  /** The figure compared (ms for trends); null when the metric had no samples. */
  readonly actual: number | null
  readonly abortOnFail: boolean
  readonly shouldAbort: boolean
  readonly reason?: string
}

export function parseThresholds(thresholds: Readonly<Record<string, ThresholdSpec | readonly ThresholdSpec[]>>): ParsedThreshold[] {
  const out: ParsedThreshold[] = []
  const problems: string[] = []
  for (const [key, value] of Object.entries(thresholds)) {
    const k = parseMetricKey(key)
    if (!k.ok) { problems.push(`"${key}": ${k.problem}`); continue }
    const specs = Array.isArray(value) ? value : [value]
    for (const spec of specs as ThresholdSpec[]) {
      const source = typeof spec === 'string' ? spec : spec?.threshold
      if (typeof source !== 'string') { problems.push(`"${key}": each threshold must be a string or { threshold, abortOnFail, delayAbortEval }`); continue }
      const e = parseExpression(source)
      if (!e.ok) { problems.push(`Threshold "${source}" on "${key}": ${e.problem}; ${EXPRESSION_HINT}`); continue }
      let delayAbortEvalMs = 0
      if (typeof spec === 'object' && spec.delayAbortEval !== undefined) {
        const d = parseDurationOrNull(spec.delayAbortEval)
        if (d === null) { problems.push(`Threshold "${source}" on "${key}": delayAbortEval ${JSON.stringify(spec.delayAbortEval)} is not a duration; use e.g. '10s'`); continue }
        delayAbortEvalMs = d
      }
      out.push({ key, metric: k.value.metric, tags: k.value.tags, source: source.trim(), ...e.value,
        abortOnFail: typeof spec === 'object' && spec.abortOnFail === true, delayAbortEvalMs })
    }
  }
  if (problems.length) throw new InvalidThresholdError(problems.length === 1 ? (problems[0] as string) : `Invalid thresholds:\n  - ${problems.join('\n  - ')}`)
  return out
}

/** A block's thresholds, parsed, with those on built-in metrics checked against their types: before any load. */
export function prepareThresholds(thresholds: Readonly<Record<string, ThresholdSpec | readonly ThresholdSpec[]>> | undefined): ParsedThreshold[] {
  const parsed = parseThresholds(thresholds ?? {})
  checkThresholdTypes(parsed)
  return parsed
}

export function evaluateThresholds(parsed: readonly ParsedThreshold[], query: MetricQuery, opts: { elapsedMs?: number } = {}): ThresholdOutcome[] {
  return parsed.map((t) => {
    const values = query.query(t.metric, Object.keys(t.tags).length ? t.tags : undefined)
    if (!values) {
      return { key: t.key, source: t.source, ok: true, actual: null, abortOnFail: t.abortOnFail, shouldAbort: false, reason: 'no samples for this metric (k6 passes such thresholds)' }
    }
    // Checked before and during the load (threshold-metrics.ts); a result read from elsewhere can
    // still disagree, and a budget that cannot be read is a failed one, never a passed one.
    const problem = typeProblem(t, values.type)
    if (problem) return { key: t.key, source: t.source, ok: false, actual: null, abortOnFail: t.abortOnFail, shouldAbort: false, reason: problem }
    const actual = figure(values, t)
    const ok = compare(actual, t.op, t.bound)
    const shouldAbort = !ok && t.abortOnFail && (opts.elapsedMs ?? Infinity) >= t.delayAbortEvalMs
    return { key: t.key, source: t.source, ok, actual, abortOnFail: t.abortOnFail, shouldAbort }
  })
}

function figure(v: MetricValues, t: ParsedThreshold): number {
  switch (v.type) {
    case 'trend': return t.method === 'avg' ? v.avg : t.method === 'min' ? v.min : t.method === 'max' ? v.max : v.percentile(t.method === 'med' ? 50 : (t.percentile as number))
    case 'counter': return t.method === 'count' ? v.count : v.rate
    case 'rate': return v.rate
    case 'gauge': return t.method === 'min' ? v.min : t.method === 'max' ? v.max : v.value
  }
}

function compare(a: number, op: ThresholdOp, b: number): boolean {
  switch (op) {
    case '<': return a < b
    case '<=': return a <= b
    case '>': return a > b
    case '>=': return a >= b
    case '==': case '===': return a === b
    case '!=': return a !== b
  }
}

/** One line per threshold: `✓ http_req_duration p(95)<500  (actual 123.4)`. */
export function formatThresholdOutcomes(outcomes: ReadonlyArray<Pick<ThresholdOutcome, 'key' | 'source' | 'ok' | 'actual'>>): string {
  return outcomes.map((o) => `${o.ok ? '✓' : '✗'} ${o.key} ${o.source}  (actual ${o.actual === null ? 'no data' : +o.actual.toFixed(3)})`).join('\n')
}
