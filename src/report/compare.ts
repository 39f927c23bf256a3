/**
 * Compares two results figure by figure with tolerances (p95 +10 %, error rate +0.5 points,
 * throughput −10 % by default) and a noise-aware verdict: when the runs' own second-to-second
 * variation makes a difference too small to tell apart from noise (under two standard errors),
 * the verdict is "inconclusive" instead of a failure. Shared by `loadspec compare` and baselines.
 */
import type { PerfResult } from '../metrics/result.ts'
import { figuresOf, type Figures, type ScopeFigures } from './figures.ts'

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
  return compareFigures(figuresOf(base), figuresOf(head), tolerances)
}

export function compareFigures(base: Figures, head: Figures, tolerances: Tolerances = {}): Comparison {
  const tol = { ...DEFAULT_TOLERANCES, ...tolerances }
  const rows: ComparisonRow[] = []
  const scopes: [string, ScopeFigures, ScopeFigures][] = [['all', base.all, head.all]]
  for (const name of Object.keys(head.endpoints).sort()) {
    const b = base.endpoints[name]
    const h = head.endpoints[name]
    if (b && h) scopes.push([name, b, h])
  }
  // Only the whole run has a per-second timeline to measure its noise by; endpoints borrow it,
  // relative to their own p95.
  const runNoise = twoStandardErrors(base.secondsP95, head.secondsP95)
  const relativeNoise = runNoise !== null && base.all.p95 ? runNoise / base.all.p95 : null
  for (const [scope, b, h] of scopes) {
    if (b.p95 !== null && h.p95 !== null) {
      const change = b.p95 > 0 ? h.p95 / b.p95 - 1 : 0
      const noise = relativeNoise === null ? null : relativeNoise * b.p95
      rows.push({ scope, figure: 'p95 (ms)', base: b.p95, head: h.p95, change, verdict: decide(change > tol.p95, change < -tol.p95, Math.abs(h.p95 - b.p95), noise) })
    }
    const eNoise = 2 * Math.sqrt(binomialVar(b.errorRate, b.requests) + binomialVar(h.errorRate, h.requests))
    rows.push({ scope, figure: 'error rate', base: b.errorRate, head: h.errorRate, change: h.errorRate - b.errorRate,
      verdict: decide(h.errorRate - b.errorRate > tol.errorRate, b.errorRate - h.errorRate > tol.errorRate, Math.abs(h.errorRate - b.errorRate), eNoise) })
    if (scope === 'all') {
      const change = b.throughput > 0 ? h.throughput / b.throughput - 1 : 0
      const noise = twoStandardErrors(base.secondsRequests, head.secondsRequests)
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

/** Two standard errors of the difference of two means, or null with too few windows to judge. */
function twoStandardErrors(a: readonly number[], b: readonly number[]): number | null {
  if (a.length < 3 || b.length < 3) return null
  return 2 * Math.sqrt(variance(a) / a.length + variance(b) / b.length)
}

function variance(xs: readonly number[]): number {
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
