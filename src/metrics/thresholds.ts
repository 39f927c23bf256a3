/**
 * k6 thresholds: `{ 'http_req_duration{name:POST /messages}': ['p(95)<500', { threshold: 'rate<0.01',
 * abortOnFail: true, delayAbortEval: '10s' }] }`. Parsed once, up front (every bad expression in one
 * InvalidThresholdError), then evaluated against any MetricQuery: a live snapshot or the final result.
 */
import { InvalidThresholdError } from '../errors.ts'
import { parseDurationOrNull, type Duration } from '../core/duration.ts'
import type { MetricQuery, MetricValues } from './values.ts'

export type ThresholdSpec = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: Duration }
export type ThresholdMethod = 'avg' | 'min' | 'max' | 'med' | 'p' | 'count' | 'rate' | 'value'
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '===' | '!='

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

const KEY = /^([A-Za-z_][\w.-]*)(?:\{(.*)\})?$/s
const EXPR = /^\s*(avg|min|max|med|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(===|==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i
const HINT = 'expected <method> <op> <number>, e.g. "p(95)<500"; methods: avg, min, max, med, p(N), count, rate, value; operators: < <= > >= == === !='

const METHODS_BY_TYPE: Record<MetricValues['type'], readonly ThresholdMethod[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p'],
  counter: ['count', 'rate'],
  rate: ['rate'],
  gauge: ['value', 'min', 'max'],
}

export function parseThresholds(thresholds: Readonly<Record<string, ThresholdSpec | readonly ThresholdSpec[]>>): ParsedThreshold[] {
  const out: ParsedThreshold[] = []
  const problems: string[] = []
  for (const [key, value] of Object.entries(thresholds)) {
    const k = KEY.exec(key.trim())
    let tags: Record<string, string> = {}
    if (!k) { problems.push(`"${key}": not a metric key; use a metric name, optionally with tags: http_req_duration{name:GET /health}`); continue }
    if (k[2] !== undefined) {
      const parsed = parseTags(k[2])
      if (typeof parsed === 'string') { problems.push(`"${key}": ${parsed}`); continue }
      tags = parsed
    }
    const specs = Array.isArray(value) ? value : [value]
    for (const spec of specs as ThresholdSpec[]) {
      const source = typeof spec === 'string' ? spec : spec?.threshold
      if (typeof source !== 'string') { problems.push(`"${key}": each threshold must be a string or { threshold, abortOnFail, delayAbortEval }`); continue }
      const m = EXPR.exec(source)
      if (!m) { problems.push(`Threshold "${source}" on "${key}": ${HINT}`); continue }
      const methodText = (m[1] as string).toLowerCase()
      const method = (methodText.startsWith('p(') ? 'p' : methodText) as ThresholdMethod
      const percentile = m[2] !== undefined ? Number(m[2]) : undefined
      if (percentile !== undefined && percentile > 100) { problems.push(`Threshold "${source}" on "${key}": percentile ${percentile} is out of range; use p(0)…p(100)`); continue }
      let delayAbortEvalMs = 0
      if (typeof spec === 'object' && spec.delayAbortEval !== undefined) {
        const d = parseDurationOrNull(spec.delayAbortEval)
        if (d === null) { problems.push(`Threshold "${source}" on "${key}": delayAbortEval ${JSON.stringify(spec.delayAbortEval)} is not a duration; use e.g. '10s'`); continue }
        delayAbortEvalMs = d
      }
      out.push({ key, metric: k[1] as string, tags, source: source.trim(), method, ...(percentile !== undefined ? { percentile } : {}),
        op: m[3] as ThresholdOp, bound: Number(m[4]), abortOnFail: typeof spec === 'object' && spec.abortOnFail === true, delayAbortEvalMs })
    }
  }
  if (problems.length) throw new InvalidThresholdError(problems.length === 1 ? (problems[0] as string) : `Invalid thresholds:\n  - ${problems.join('\n  - ')}`)
  return out
}

/** `name:GET /rooms/:id,status:200` → tags; a value may contain colons (split on the first). */
function parseTags(text: string): Record<string, string> | string {
  const tags: Record<string, string> = {}
  if (text.trim() === '') return 'empty tag filter {}; write {tag:value}'
  for (const pair of text.split(',')) {
    const i = pair.indexOf(':')
    if (i <= 0) return `tag filter "${pair.trim()}" must be tag:value`
    tags[pair.slice(0, i).trim()] = pair.slice(i + 1).trim()
  }
  return tags
}

export function evaluateThresholds(parsed: readonly ParsedThreshold[], query: MetricQuery, opts: { elapsedMs?: number } = {}): ThresholdOutcome[] {
  return parsed.map((t) => {
    const values = query.query(t.metric, Object.keys(t.tags).length ? t.tags : undefined)
    if (!values) {
      return { key: t.key, source: t.source, ok: true, actual: null, abortOnFail: t.abortOnFail, shouldAbort: false, reason: 'no samples for this metric (k6 passes such thresholds)' }
    }
    if (!METHODS_BY_TYPE[values.type].includes(t.method)) {
      throw new InvalidThresholdError(`Threshold "${t.source}" on "${t.key}": ${t.metric} is a ${values.type}; use ${METHODS_BY_TYPE[values.type].map((m) => (m === 'p' ? 'p(N)' : m)).join(', ')}`)
    }
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
