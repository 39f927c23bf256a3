/**
 * One formatter for every loadspec matcher failure, as Playwright's matcherHint does:
 *   expect(received).not.toHaveP95Below(expected) failed — <label>
 *   Expected: p95 < 200 ms
 *   Received: p95 = 245.31 ms
 * followed by the percentile table of the metric that was read.
 */
import type { TrendSummary } from '../metrics/summary.ts'

export interface FailureParts {
  readonly matcher: string
  readonly isNot: boolean
  readonly label: string
  readonly expected: string
  readonly received: string
  readonly metric?: string | undefined
  readonly table?: TrendSummary | undefined
  readonly extra?: string | undefined
}

export function formatFailure(p: FailureParts): string {
  const lines = [
    `expect(received)${p.isNot ? '.not' : ''}.${p.matcher}(expected) failed — ${p.label}`,
    '',
    `Expected: ${p.isNot ? 'not ' : ''}${p.expected}`,
    `Received: ${p.received}`,
  ]
  if (p.table) lines.push('', `${p.metric ?? 'latency'} (ms):`, formatPercentileTable(p.table))
  if (p.extra) lines.push('', p.extra)
  return lines.join('\n')
}

/** `count  min  mean  p50  p90  p95  p99  p99.9  max` as an aligned two-row table. */
export function formatPercentileTable(t: TrendSummary): string {
  const cols: [string, string][] = [
    ['count', String(t.count)], ['min', ms(t.min)], ['mean', ms(t.mean)], ['p50', ms(t.p50)], ['p90', ms(t.p90)],
    ['p95', ms(t.p95)], ['p99', ms(t.p99)], ['p99.9', ms(t.p999)], ['max', ms(t.max)],
  ]
  const w = cols.map(([h, v]) => Math.max(h.length, v.length))
  return ['  ' + cols.map(([h], i) => h.padStart(w[i] as number)).join('  '), '  ' + cols.map(([, v], i) => v.padStart(w[i] as number)).join('  ')].join('\n')
}

/** ms with enough digits to show µs-level differences without noise. */
export function ms(v: number): string {
  return v >= 100 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3)
}
