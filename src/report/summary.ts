/**
 * A compact, JSON-safe digest of a result: what the end-of-run table, the Markdown summary and
 * the reporter need, small enough to travel in a test's metadata.
 */
import type { MetricView, PerfResult } from '../metrics/result.ts'
import type { ThresholdResult } from '../metrics/result-data.ts'
import { recoveries } from '../metrics/recovery.ts'

export interface LatencyDigest { readonly p50: number; readonly p90: number; readonly p95: number; readonly p99: number; readonly max: number; readonly mean: number }

export interface RowDigest {
  readonly name: string
  readonly requests: number
  readonly rps: number
  readonly errorRate: number
  readonly latency: LatencyDigest | null
}

export interface BlockDigest {
  readonly name: string
  readonly durationMs: number
  readonly total: RowDigest
  readonly endpoints: readonly RowDigest[]
  readonly iterations: { readonly completed: number; readonly dropped: number; readonly interrupted: number }
  readonly errorsByKind: Readonly<Record<string, number>>
  readonly errorsByStatus: Readonly<Record<string, number>>
  readonly errorSamples: readonly { readonly kind: string; readonly message: string; readonly count: number; readonly endpoint?: string | undefined }[]
  readonly data: { readonly sent: number; readonly received: number; readonly kbpsOut: number; readonly kbpsIn: number; readonly perHourBytes: number; readonly perDayBytes: number }
  readonly thresholds: readonly ThresholdResult[]
  readonly checks: { readonly passes: number; readonly fails: number }
  readonly aborted?: string | undefined
  /** Problems of a saturated generator (empty when healthy). */
  readonly generatorProblems: readonly string[]
  /** Threads that generated the load. */
  readonly workers: number
  /** Schedule lag p99 of arrival-rate executors (ms), when there were any. */
  readonly scheduleLagP99?: number | undefined
  /** The JSON result file this run wrote, when a report directory is set (the HTML report reads it). */
  readonly resultFile?: string | undefined
  /** The faults of the run's fault timeline, with their recovery (ms after the fault ended; null: none). */
  readonly faults?: readonly FaultDigest[] | undefined
}

export interface FaultDigest {
  readonly label: string
  readonly atMs: number
  readonly endMs: number
  readonly recoveryMs: number | null
}

function row(name: string, v: MetricView): RowDigest {
  const l = v.latency
  return { name, requests: v.requests, rps: v.throughput, errorRate: v.errorRate,
    latency: l ? { p50: l.p50, p90: l.p90, p95: l.p95, p99: l.p99, max: l.max, mean: l.mean } : null }
}

export function digest(result: PerfResult): BlockDigest {
  const secs = result.duration / 1000
  const { sent, received } = result.dataTransfer
  const checks = result.rate('checks')
  const lag = result.trend('schedule_lag')
  const faults = result.toJSON().faults ?? []
  return {
    name: result.name,
    durationMs: result.duration,
    total: row('all', result),
    endpoints: result.endpoints().sort().map((n) => row(n, result.endpoint(n))),
    iterations: result.iterations,
    errorsByKind: { ...result.errors.byKind },
    errorsByStatus: { ...result.errors.byStatus },
    errorSamples: result.errors.samples.slice(0, 10).map((s) => ({ kind: s.kind, message: s.message, count: s.count, endpoint: s.endpoint })),
    data: {
      sent, received,
      kbpsOut: secs > 0 ? (sent * 8) / 1000 / secs : 0,
      kbpsIn: secs > 0 ? (received * 8) / 1000 / secs : 0,
      perHourBytes: secs > 0 ? ((sent + received) / secs) * 3600 : 0,
      perDayBytes: secs > 0 ? ((sent + received) / secs) * 86_400 : 0,
    },
    thresholds: result.thresholds,
    checks: { passes: checks?.passes ?? 0, fails: checks?.fails ?? 0 },
    aborted: result.aborted?.message,
    generatorProblems: result.generator.problems,
    workers: result.generator.workers.length,
    scheduleLagP99: lag && lag.count > 0 ? lag.p99 : undefined,
    ...(faults.length ? { faults: recoveries(result.timeline, faults).map((r) => ({ label: r.fault.label, atMs: r.fault.atMs, endMs: r.fault.endMs, recoveryMs: r.recoveryMs })) } : {}),
  }
}
