/**
 * Compares two results figure by figure with tolerances (p95 +10 %, error rate +0.5 points,
 * throughput −10 % by default) and a noise-aware verdict: when the runs' own second-to-second
 * variation makes a difference too small to tell apart from noise (under two standard errors),
 * the verdict is "inconclusive" instead of a failure. Shared by `loadspec compare` and baselines.
 */
import type { MetricView, PerfResult } from '../metrics/result.ts'
import { decodeHistogram } from '../metrics/histogram.ts'

export interface Tolerances {
  /** Allowed relative rise of p95 latency. @default 0.10 */
  p95?: number
  /** Allowed rise of the error rate, in absolute points (0.005 = 0.5 points). @default 0.005 */
  errorRate?: number
  /** Allowed relative drop of throughput. @default 0.10 */
  throughput?: number
}
export const DEFAULT_TOLERANCES: Required<Tolerances> = { p95: 0.1, errorRate: 0.005, throughput: 0.1 }

export type Verdict = 'ok' | 'improved' | 'regression' | 'inconclusive'

export interface ComparisonRow {
  readonly scope: string
  readonly figure: 'p95 (ms)' | 'error rate' | 'throughput (/s)'
  readonly base: number
  readonly head: number
  /** head − base, relative for p95 and throughput, absolute for the error rate. */
  readonly change: number
  readonly verdict: Verdict
}

export interface Comparison {
  readonly rows: readonly ComparisonRow[]
  readonly regressions: number
  readonly inconclusive: number
}

export function compareResults(base: PerfResult, head: PerfResult, tolerances: Tolerances = {}): Comparison {
  const tol = { ...DEFAULT_TOLERANCES, ...tolerances }
  const rows: ComparisonRow[] = []
  const scopes: [string, MetricView, MetricView][] = [['all', base, head]]
  for (const name of head.endpoints().sort()) if (base.endpoints().includes(name)) scopes.push([name, base.endpoint(name), head.endpoint(name)])
  // Only the whole run has a per-second timeline to measure its noise by; endpoints borrow it,
  // relative to their own p95.
  const runNoise = twoStandardErrors(perSecondP95(base), perSecondP95(head))
  const runP95 = base.latency?.p95 ?? 0
  const relativeNoise = runNoise !== null && runP95 > 0 ? runNoise / runP95 : null
  for (const [scope, b, h] of scopes) {
    const bl = b.latency
    const hl = h.latency
    if (bl && hl && bl.count && hl.count) {
      const change = bl.p95 > 0 ? hl.p95 / bl.p95 - 1 : 0
      const noise = relativeNoise === null ? null : relativeNoise * bl.p95
      rows.push({ scope, figure: 'p95 (ms)', base: bl.p95, head: hl.p95, change,
        verdict: decide(change > tol.p95, change < -tol.p95, Math.abs(hl.p95 - bl.p95), noise) })
    }
    const be = b.errorRate
    const he = h.errorRate
    const eNoise = 2 * Math.sqrt(binomialVar(be, b.requests) + binomialVar(he, h.requests))
    rows.push({ scope, figure: 'error rate', base: be, head: he, change: he - be,
      verdict: decide(he - be > tol.errorRate, be - he > tol.errorRate, Math.abs(he - be), eNoise) })
    if (scope === 'all') {
      const change = b.throughput > 0 ? h.throughput / b.throughput - 1 : 0
      const noise = twoStandardErrors(base.timeline.map((p) => p.requests), head.timeline.map((p) => p.requests))
      rows.push({ scope, figure: 'throughput (/s)', base: b.throughput, head: h.throughput, change,
        verdict: decide(change < -tol.throughput, change > tol.throughput, Math.abs(h.throughput - b.throughput), noise) })
    }
  }
  return { rows, regressions: rows.filter((r) => r.verdict === 'regression').length, inconclusive: rows.filter((r) => r.verdict === 'inconclusive').length }
}

function decide(worse: boolean, better: boolean, difference: number, noise: number | null): Verdict {
  if (!worse && !better) return 'ok'
  // A difference beyond tolerance but inside the runs' own noise cannot be called either way.
  if (noise !== null && difference < noise) return 'inconclusive'
  return worse ? 'regression' : 'improved'
}

/** p95 of each second of a run's main latency metric (seconds with at least 5 samples). */
function perSecondP95(result: PerfResult): number[] {
  const metric = result.latencyMetric ?? 'http_req_duration'
  const out: number[] = []
  for (const s of result.data.metrics.timeline) {
    const enc = s.trends[metric]
    if (!enc) continue
    const h = decodeHistogram(enc)
    if (h.totalCount >= 5) out.push(h.getValueAtPercentile(95) / 1000)
  }
  return out
}

/** Two standard errors of the difference of two means, or null with too few windows to judge. */
function twoStandardErrors(a: number[], b: number[]): number | null {
  if (a.length < 3 || b.length < 3) return null
  return 2 * Math.sqrt(variance(a) / a.length + variance(b) / b.length)
}

function variance(xs: number[]): number {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)
}

function binomialVar(p: number, n: number): number {
  return n > 0 ? (p * (1 - p)) / n : 0
}

export function formatComparison(c: Comparison, markdown = false): string {
  const fmt = (r: ComparisonRow, v: number) => (r.figure === 'error rate' ? `${(v * 100).toFixed(2)}%` : v.toFixed(2))
  const change = (r: ComparisonRow) => (r.figure === 'error rate' ? `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(2)} pts` : `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`)
  const mark = { ok: '✓ ok', improved: '↑ improved', regression: '✗ regression', inconclusive: '? inconclusive' } as const
  const rows = c.rows.map((r) => [r.scope, r.figure, fmt(r, r.base), fmt(r, r.head), change(r), mark[r.verdict]])
  const head = ['scope', 'figure', 'base', 'head', 'change', 'verdict']
  const summary = `${c.regressions} regression${c.regressions === 1 ? '' : 's'}, ${c.inconclusive} inconclusive`
  if (markdown) {
    return ['| ' + head.join(' | ') + ' |', '|---|---|---:|---:|---:|---|', ...rows.map((r) => '| ' + r.map((x) => x.replace(/\|/g, '\\|')).join(' | ') + ' |'), '', summary].join('\n')
  }
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (r: string[]) => r.map((x, i) => (i < 2 || i === 5 ? x.padEnd(w[i] as number) : x.padStart(w[i] as number))).join('  ')
  return [line(head), ...rows.map(line), '', summary].join('\n')
}
