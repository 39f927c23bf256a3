/**
 * Runs one perf block over N worker threads (tinypool): each worker loads the test file's bundle,
 * runs its exact segment of the load and streams snapshots; the parent merges them exactly. The
 * pool lives for one block only and is destroyed after it, whatever happened.
 */
import { availableParallelism } from 'node:os'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import Tinypool from 'tinypool'
import { toError } from '../errors.ts'
import { aggregateMetrics } from '../metrics/aggregate.ts'
import type { SerializedMetrics } from '../metrics/serialized.ts'
import { splitSegment, WHOLE } from '../core/segment.ts'
import type { GeneratorHealth } from '../core/health.ts'
import type { LoadOutcome, LoadRunner } from '../core/load-runner.ts'
import { bundleFor } from './bundle.ts'
import type { SnapshotMessage, StopMessage, WorkerResult, WorkerTask } from './messages.ts'

export interface PoolTarget {
  readonly file: string
  readonly name: string
  readonly workers: number
  readonly overrides: Readonly<Record<string, unknown>>
  readonly profile: string
  readonly scale: number
}

/** `workers` as the user wrote it → a thread count (`'auto'`: every core this process may use). */
export function resolveWorkers(w: number | 'auto' | undefined, fallback: number): number {
  if (w === 'auto') return Math.max(1, availableParallelism())
  return w ?? fallback
}

/** How often the parent merges worker snapshots for thresholds and progress. */
const MERGE_EVERY_MS = 1000

export function pooledRunner(target: PoolTarget): LoadRunner {
  return async (data, signal, onSecond) => {
    const filename = await bundleFor(target.file)
    const n = target.workers
    // useAtomics: false — parked workers in Atomics.wait freeze their timers and sockets (platform notes).
    const pool = new Tinypool({ filename, minThreads: n, maxThreads: n, useAtomics: false, isolateWorkers: false, idleTimeout: 60_000 })
    const segments = splitSegment(WHOLE, n)
    const latest: (SerializedMetrics | null)[] = segments.map(() => null)
    const health: (GeneratorHealth | null)[] = segments.map(() => null)
    const ports: MessagePort[] = []
    const stopAll = () => { for (const p of ports) p.postMessage({ type: 'stop' } satisfies StopMessage) }
    signal.addEventListener('abort', stopAll, { once: true })
    const t0 = performance.now()
    const startTime = Date.now()
    const tick = setInterval(() => {
      const parts = latest.filter((m): m is SerializedMetrics => m !== null)
      if (parts.length) onSecond(aggregateMetrics(parts), performance.now() - t0)
    }, MERGE_EVERY_MS)
    try {
      const tasks = segments.map((segment, i) => {
        const { port1, port2 } = new MessageChannel()
        ports.push(port1)
        port1.on('message', (m: SnapshotMessage) => { latest[i] = m.metrics; health[i] = m.health })
        const task: WorkerTask = { file: target.file, name: target.name, worker: i, overrides: target.overrides, profile: target.profile,
          scale: target.scale, segment, data, port: port2 }
        // A failing worker stops the others, so the block ends now with what they measured.
        return (pool.run(task, { transferList: [port2] as never }) as Promise<WorkerResult>).catch((err: unknown) => { stopAll(); throw err })
      })
      if (signal.aborted) stopAll()
      const settled = await Promise.allSettled(tasks)
      return merge(settled, latest, health, startTime, performance.now() - t0)
    } finally {
      clearInterval(tick)
      signal.removeEventListener('abort', stopAll)
      for (const p of ports) p.close()
      await pool.destroy()
    }
  }
}

function merge(settled: PromiseSettledResult<WorkerResult>[], latest: (SerializedMetrics | null)[], health: (GeneratorHealth | null)[],
  startTime: number, durationMs: number): LoadOutcome {
  const parts: SerializedMetrics[] = []
  const healths: GeneratorHealth[] = []
  let error: Error | undefined
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') {
      parts.push(s.value.metrics)
      healths.push(s.value.health)
    } else {
      error ??= workerError(i, s.reason)
      const partial = latest[i]
      if (partial) parts.push(partial)
      const h = health[i]
      if (h) healths.push(h)
    }
  })
  const durations = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.durationMs] : []))
  return {
    metrics: parts.length ? aggregateMetrics(parts) : { series: [], timeline: [], errors: { total: 0, byKind: {}, byStatus: {}, samples: [] } },
    startTime, durationMs: durations.length ? Math.max(...durations) : durationMs, health: healths, ...(error ? { error } : {}),
  }
}

function workerError(i: number, reason: unknown): Error {
  const e = toError(reason)
  const err = new Error(`worker ${i} failed: ${e.message}`, { cause: e })
  err.name = 'WorkerError'
  return err
}
