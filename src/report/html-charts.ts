/** The per-second series, phase marks and threshold lines the report's charts draw, from a result. */
import type { PerfResult } from '../metrics/result.ts'
import { parseThresholds, type ParsedThreshold } from '../metrics/thresholds.ts'

export interface ChartLimit { readonly value: number; readonly label: string; readonly ok: boolean }
export interface ChartPhase { readonly t: number; readonly label: string }

export interface BlockCharts {
  readonly latencyMetric: string
  /** Seconds since the run started, one per timeline second. */
  readonly t: readonly number[]
  /** Latency series hold null for a second without samples (a gap, not a fall to 0 ms). */
  readonly series: Readonly<Record<'p50' | 'p95' | 'p99' | 'max' | 'rps' | 'errors' | 'vus' | 'vusMax', readonly (number | null)[]>>
  readonly phases: readonly ChartPhase[]
  /** Threshold bounds on the latency metric itself, drawn as horizontal lines. */
  readonly limits: readonly ChartLimit[]
}

/** `p(95)<500`, `avg<=200`, `max<1000`, `med<100`: an upper bound in ms we can draw on the latency chart. */
const DRAWN_METHODS = new Set(['p', 'avg', 'med', 'max', 'min'])

/** The threshold's upper bound in ms, read with the thresholds' own parser, or null if it is not one. */
function latencyBound(key: string, source: string): number | null {
  let t: ParsedThreshold | undefined
  try { t = parseThresholds({ [key]: source })[0] } catch { return null } // a result file from elsewhere
  return t && (t.op === '<' || t.op === '<=') && DRAWN_METHODS.has(t.method) ? t.bound : null
}

export function chartsOf(result: PerfResult): BlockCharts {
  const latencyMetric = result.latencyMetric ?? 'http_req_duration'
  const tl = result.timeline
  const r3 = (v: number) => Math.round(v * 1000) / 1000
  // A second without samples has max 0 (no request takes 0 µs).
  const ms = (p: { max: number }, v: number) => (p.max > 0 ? r3(v) : null)
  const plan = result.data.plan as { phases?: { atMs: number; label: string }[] } | undefined
  const phases = [
    ...(plan?.phases ?? []).map((p) => ({ t: r3(p.atMs / 1000), label: p.label })),
    // A fault is marked where it began and where it ended, on every chart.
    ...(result.toJSON().faults ?? []).flatMap((f) => [{ t: r3(f.atMs / 1000), label: `⚡ ${f.label}` }, { t: r3(f.endMs / 1000), label: `${f.label} ends` }]),
  ].sort((a, b) => a.t - b.t)
  const limits: ChartLimit[] = []
  for (const th of result.thresholds) {
    if (th.key !== latencyMetric) continue
    const bound = latencyBound(th.key, th.source)
    if (bound !== null) limits.push({ value: bound, label: `${th.key} ${th.source}`, ok: th.ok })
  }
  return {
    latencyMetric,
    t: tl.map((p) => p.t),
    series: {
      p50: tl.map((p) => ms(p, p.p50)), p95: tl.map((p) => ms(p, p.p95)), p99: tl.map((p) => ms(p, p.p99)), max: tl.map((p) => ms(p, p.max)),
      rps: tl.map((p) => p.requests), errors: tl.map((p) => p.errors), vus: tl.map((p) => p.vus),
      // Allocated VUs: for arrival-rate executors the active count at a second's end is often 0.
      vusMax: result.data.metrics.timeline.map((s) => s.gauges['vus_max'] ?? 0),
    },
    phases, limits,
  }
}
