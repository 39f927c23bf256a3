/**
 * The k6 threshold grammar: metric keys (`http_req_duration{name:POST /messages}`) and expressions
 * (`p(95) < 500`). It follows k6's own parser (grafana/k6 metrics/thresholds_parser.go and
 * `ParseMetricName` in metrics/metric.go), so a threshold k6 rejects is rejected here too:
 *
 *   assertion  → method space* operator space* float
 *   method     → "avg" | "min" | "max" | "med" | "count" | "rate" | "value" | "p(" float ")"
 *   operator   → "<=" | "<" | ">=" | ">" | "===" | "==" | "!="
 *
 * Methods and `p(` are case-sensitive and `p(` … `)` holds the number alone (`p( 95 )` is an
 * error, as in k6). Parsing knows nothing about metric types: threshold-metrics.ts checks those.
 */

export type ThresholdMethod = 'avg' | 'min' | 'max' | 'med' | 'p' | 'count' | 'rate' | 'value'
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '===' | '!='

export interface ThresholdExpression {
  readonly method: ThresholdMethod
  /** Set for `p(N)` only: N in 0–100. */
  readonly percentile?: number
  readonly op: ThresholdOp
  readonly bound: number
}

export interface MetricKey {
  readonly metric: string
  /** The tag filter with surrounding spaces and quotes stripped from keys and values. */
  readonly tags: Readonly<Record<string, string>>
}

/** A parse result: the value, or one sentence saying what is wrong and what to write instead. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string }

/**
 * k6 tries the operators in this order and cuts at the first one found with text after it; a
 * longer operator comes before its prefix so `<=` is not read as `<` followed by `=…`.
 */
const OPERATORS: readonly ThresholdOp[] = ['<=', '<', '>=', '>', '===', '==', '!=']
const METHODS: readonly ThresholdMethod[] = ['value', 'count', 'rate', 'avg', 'min', 'med', 'max']
/** k6's grammar says `float → digit+ ("." digit+)?`; we also take a sign and an exponent for bounds. */
const BOUND = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const PERCENTILE = /^(?:\d+(?:\.\d*)?|\.\d+)$/
const METRIC_NAME = /^[A-Za-z_][\w.-]*$/

export const EXPRESSION_HINT = 'expected <method> <op> <number>, e.g. "p(95)<500"; methods: avg, min, max, med, p(N), count, rate, value; operators: < <= > >= == === !='

/** Splits `method op value`, trimming spaces around each part; the parts are not checked yet. */
export function scanExpression(input: string): Parsed<{ method: string; op: ThresholdOp; value: string }> {
  for (const op of OPERATORS) {
    const at = input.indexOf(op)
    if (at < 0) continue
    const value = input.slice(at + op.length)
    if (value !== '') return { ok: true, value: { method: input.slice(0, at).trim(), op, value: value.trim() } }
  }
  return { ok: false, problem: 'no operator with a number after it' }
}

/** `avg` → avg; `p(99.9)` → p with 99.9. */
export function parseMethod(input: string): Parsed<{ method: ThresholdMethod; percentile?: number }> {
  if ((METHODS as readonly string[]).includes(input)) return { ok: true, value: { method: input as ThresholdMethod } }
  if (input.startsWith('p(') && input.endsWith(')')) {
    const inner = input.slice(2, -1)
    if (inner.trim() !== inner) return { ok: false, problem: `no spaces inside p(…); write p(${inner.trim()})` }
    if (!PERCENTILE.test(inner)) return { ok: false, problem: `percentile "${inner}" is not a number; write p(95) or p(99.9)` }
    const p = Number(inner)
    if (p > 100) return { ok: false, problem: `percentile ${p} is out of range; use p(0)…p(100)` }
    return { ok: true, value: { method: 'p', percentile: p } }
  }
  const lower = input.toLowerCase()
  if ((METHODS as readonly string[]).includes(lower) || (lower.startsWith('p(') && lower.endsWith(')'))) {
    return { ok: false, problem: `methods are lower case, as in k6; write ${lower}` }
  }
  return { ok: false, problem: input === '' ? 'no method before the operator' : `"${input}" is not a method` }
}

/** A whole expression, or the reason it is not one (k6 rejects the same inputs). */
export function parseExpression(input: string): Parsed<ThresholdExpression> {
  const scanned = scanExpression(input)
  if (!scanned.ok) return scanned
  const { method, op, value } = scanned.value
  const m = parseMethod(method)
  if (!m.ok) return m
  if (!BOUND.test(value)) return { ok: false, problem: `"${value}" after ${op} is not a number` }
  return { ok: true, value: { ...m.value, op, bound: Number(value) } }
}

/**
 * `name{tag:value,tag2:value2}`: the filter runs from the first `{` to a `}` that must end the key
 * (so values may hold braces and colons: `{url:ssh://github.com:grafana/k6}`), and a value may
 * be quoted: `{name:"POST /x"}` is `{name:POST /x}`.
 */
export function parseMetricKey(input: string): Parsed<MetricKey> {
  const key = input.trim()
  const open = key.indexOf('{')
  const close = key.lastIndexOf('}')
  const example = '; write a metric name, optionally with tags: http_req_duration{name:GET /health}'
  if (open < 0 && close < 0) {
    return METRIC_NAME.test(key) ? { ok: true, value: { metric: key, tags: {} } } : { ok: false, problem: `not a metric name${example}` }
  }
  if (open < 0 || close < 0) return { ok: false, problem: `unmatched ${open < 0 ? '}' : '{'}${example}` }
  if (close < open) return { ok: false, problem: `} comes before {${example}` }
  if (close !== key.length - 1) return { ok: false, problem: `text after the closing }${example}` }
  const metric = key.slice(0, open)
  if (!METRIC_NAME.test(metric)) return { ok: false, problem: `"${metric}" is not a metric name${example}` }
  const body = key.slice(open + 1, close)
  if (body.trim() === '') return { ok: false, problem: 'empty tag filter {}; write {tag:value}' }
  const tags: Record<string, string> = {}
  for (const pair of body.split(',')) {
    const at = pair.indexOf(':')
    if (at < 0) return { ok: false, problem: `tag filter "${pair.trim()}" must be tag:value` }
    const k = unquote(pair.slice(0, at))
    const v = unquote(pair.slice(at + 1))
    if (k === '') return { ok: false, problem: `tag filter "${pair.trim()}" has no tag name; write tag:value` }
    if (v === '') return { ok: false, problem: `tag filter "${pair.trim()}" has an empty value; write ${k}:<value>` }
    tags[k] = v
  }
  return { ok: true, value: { metric, tags } }
}

/** k6's submetric rule: trim spaces, then every leading and trailing `"` or `'`. */
function unquote(text: string): string {
  return text.trim().replace(/^["']+|["']+$/g, '')
}
