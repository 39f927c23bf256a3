/**
 * Runs one perf block over N worker threads (tinypool): each worker loads the test file's bundle,
 * runs its exact segment of the load and streams snapshots; the parent merges them exactly. The
 * pool lives for one block only and is destroyed after it, whatever happened.
 */
import { availableParallelism } from 'node:os'
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads'
import Tinypool from 'tinypool'
import { toError } from '../errors.ts'
import { aggregateMetrics } from '../metrics/aggregate.ts'
import type { SerializedMetrics } from '../metrics/serialized.ts'
import { splitSegment, WHOLE, type Segment } from '../core/segment.ts'
import type { GeneratorHealth } from '../core/health.ts'
import type { LoadOutcome, LoadRunner } from '../core/load-runner.ts'
import { bundleFor } from './bundle.ts'
import { settlesWithin } from '../core/executors/lifecycle.ts'
import type { StopMessage, WorkerMessage, WorkerReply, WorkerResult, WorkerTask } from './messages.ts'
import { LiveMerge } from './live-merge.ts'
import { reviveError, serializeError } from './error-transfer.ts'
import { abandoned, WorkerDeadlines, WorkerWatch } from './deadline.ts'
import { workerResourceLimits } from './worker-heap.ts'
import { withFullYoungGeneration, WORKER_YOUNG_GENERATION_MB } from './young-generation.ts'

export interface PoolTarget {
  readonly file: string
  readonly name: string
  readonly workers: number
  readonly overrides: Readonly<Record<string, unknown>>
  readonly profile: string
  readonly scale: number
  /** This process's share of the load, split again over the workers; default: the whole. */
  readonly segment?: Segment
  /** Makes the worker bundle; default: the test file's. */
  readonly bundle?: () => Promise<string>
}

/** `workers` as the user wrote it → a thread count (`'auto'`: every core this process may use). */
export function resolveWorkers(w: number | 'auto' | undefined, fallback: number): number {
  if (w === 'auto') return Math.max(1, availableParallelism())
  return w ?? fallback
}

/** How often the parent looks for new worker snapshots to merge (for thresholds and progress). */
const MERGE_CHECK_MS = 250
/** After a worker died, how long the others get to stop and report before we stop waiting. */
const AFTER_EXIT_MS = 2_000
const DESTROY_WAIT_MS = 2_000
/** How long a finished worker's snapshots may still be on their way (posted before its result). */
const SNAPSHOT_WAIT_MS = 5_000

export function pooledRunner(target: PoolTarget): LoadRunner {
  // Read when the block is prepared, so a bad value fails before setup() and any load.
  const resourceLimits = workerResourceLimits()
  return async (data, signal, onSecond) => {
    const filename = await (target.bundle ? target.bundle() : bundleFor(target.file))
    const n = target.workers
    // useAtomics: false — parked workers in Atomics.wait freeze their timers and sockets (platform notes).
    const pool = await withFullYoungGeneration(() => new Tinypool({ filename, minThreads: n, maxThreads: n, useAtomics: false, isolateWorkers: false,
      idleTimeout: 60_000, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB, ...resourceLimits } }), threadsOf)
    const segments = splitSegment(target.segment ?? WHOLE, n)
    // Snapshots carry only what changed (totals, newly closed timeline windows): merged here.
    const streamed = new LiveMerge(n)
    /** A worker's latest totals as metrics, for one given up on at its deadline (its windows are streamed already). */
    const lastTotals = (i: number): SerializedMetrics | null => { const t = streamed.latest[i]; return t ? { ...t, timeline: [] } : null }
    const health: (GeneratorHealth | null)[] = segments.map(() => null)
    const watch = segments.map(() => new WorkerWatch())
    const ports: MessagePort[] = []
    const deadlines = new WorkerDeadlines(n, (i, started) => {
      if (started) { watch[i]?.expire(abandoned(i, lastTotals(i), health[i] ?? null, watch[i] as WorkerWatch)); return }
      watch[i]?.expire(new Error(`worker ${i} did not start its load within a minute: does its test file or module block at top level?`))
      stopAll()
    })
    const stopAll = () => {
      deadlines.stop()
      for (const p of ports) p.postMessage({ type: 'stop' } satisfies StopMessage)
    }
    signal.addEventListener('abort', stopAll, { once: true })
    const t0 = performance.now()
    const startTime = Date.now()
    // Merge as soon as new snapshots arrived (workers send one a second), not on a tick of our
    // own that could run out of phase with theirs.
    let fresh = false
    // The first worker to meet a metric a threshold cannot be read on stops them all.
    let invalid: string | undefined
    const tick = setInterval(() => {
      if (!fresh) return
      fresh = false
      const live = streamed.live()
      if (live) onSecond(live, performance.now() - t0)
    }, MERGE_CHECK_MS)
    try {
      const tasks = segments.map((segment, i) => {
        const { port1, port2 } = new MessageChannel()
        ports.push(port1)
        port1.on('message', (m: WorkerMessage) => {
          watch[i]?.heard()
          if (m.type === 'snapshot') { streamed.receive(i, m); health[i] = m.health; fresh = true }
          else if (m.type === 'started') { watch[i]?.started(m.inFlight); deadlines.start(i, m.plannedMs) }
          else if (m.type === 'invalid') { if (invalid === undefined) { invalid = m.message; stopAll() } }
          else watch[i]?.inFlight?.slot(m.slot, m.tags)
        })
        const task: WorkerTask = { file: target.file, name: target.name, worker: i, overrides: target.overrides, profile: target.profile,
          scale: target.scale, segment, data, port: port2 }
        // A failing worker stops the others, so the block ends now with what they measured.
        return (pool.run(task, { transferList: [port2] as never }) as Promise<WorkerReply>).then(
          async (reply) => {
            if (reply.type === 'error') throw reviveError(reply.error)
            await streamed.waitFor(i, reply.snapshots, SNAPSHOT_WAIT_MS)
            return reply
          },
          // Errors tinypool saw itself (an uncaught exception, out of memory, a failed import) came
          // through structured clone, which names every error `Error`: revive loadspec's by name.
          (err: unknown) => { throw reviveError(serializeError(err)) },
        ).catch((err: unknown) => { stopAll(); throw err })
      })
      if (signal.aborted) stopAll()
      // A worker past its hard deadline is given up on (and terminated by destroy() below).
      const outcomes = guardAgainstExit(pool, tasks, stopAll).map((t, i) => Promise.race([t, (watch[i] as WorkerWatch).expired])
        .finally(() => deadlines.settle(i)))
      const settled = await Promise.allSettled(outcomes)
      const out = merge(settled, streamed, health, startTime, performance.now() - t0, resourceLimits?.maxOldGenerationSizeMb)
      invalid ??= settled.flatMap((s) => (s.status === 'fulfilled' && s.value.type === 'result' && s.value.invalid !== undefined ? [s.value.invalid] : []))[0]
      return invalid === undefined ? out : { ...out, invalid }
    } finally {
      deadlines.clear()
      clearInterval(tick)
      signal.removeEventListener('abort', stopAll)
      for (const p of ports) p.close()
      // destroy() terminates every worker, then waits for each one's 'exit'; a worker that already
      // exited never sends another, so the wait is bounded.
      await settlesWithin(pool.destroy(), DESTROY_WAIT_MS)
    }
  }
}

/** The pool's worker_threads Workers (tinypool's threads are wrappers; `.thread` is the Worker). */
function threadsOf(pool: Tinypool): Worker[] {
  return (pool.threads as unknown as { thread?: Worker }[]).map((w) => w.thread).filter((w): w is Worker => w !== undefined)
}

/**
 * tinypool rejects a task when its worker emits 'error', but a worker that calls process.exit()
 * only emits 'exit' and its task would never settle. On an unexpected exit the others are stopped;
 * a task still unsettled AFTER_EXIT_MS later is the dead worker's and fails with the exit code.
 */
function guardAgainstExit<T>(pool: Tinypool, tasks: Promise<T>[], stopAll: () => void): Promise<T>[] {
  let timer: NodeJS.Timeout | undefined
  let onExit: (code: number) => void = () => {}
  const exited = new Promise<never>((_, reject) => {
    onExit = (code) => {
      stopAll()
      timer ??= setTimeout(() => reject(new Error(`the worker thread exited with code ${code} before finishing its load`)), AFTER_EXIT_MS)
    }
  })
  exited.catch(() => {})
  const workers = threadsOf(pool)
  if (workers.length < tasks.length) throw new Error(`loadspec: expected ${tasks.length} worker threads, tinypool has ${workers.length}`)
  for (const w of workers) w.once('exit', onExit)
  const all = Promise.allSettled(tasks).finally(() => {
    clearTimeout(timer)
    for (const w of workers) w.off('exit', onExit)
  })
  void all
  return tasks.map((t) => Promise.race([t, exited]))
}

function merge(settled: PromiseSettledResult<WorkerResult>[], streamed: LiveMerge, health: (GeneratorHealth | null)[],
  startTime: number, durationMs: number, heapLimitMb: number | undefined): LoadOutcome {
  const finals: (SerializedMetrics | null)[] = []
  const healths: GeneratorHealth[] = []
  let error: Error | undefined
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') {
      finals.push(s.value.metrics)
      healths.push(s.value.health)
    } else {
      error ??= workerError(i, s.reason, heapLimitMb ?? health[i]?.heapLimitMb)
      // Its latest totals and the windows it streamed are kept (LiveMerge.result).
      finals.push(null)
      const h = health[i]
      if (h) healths.push(h)
    }
  })
  const durations = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.durationMs] : []))
  // Each worker counts its timeline seconds from when its own load began, a module load after the
  // pool was created (~0.2 s): the result starts then, so fault marks and seconds share one clock.
  const starts = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.startTime] : []))
  return {
    metrics: streamed.result(finals),
    startTime: starts.length ? Math.min(...starts) : startTime, durationMs: durations.length ? Math.max(...durations) : durationMs, health: healths, ...(error ? { error } : {}),
  }
}

function workerError(i: number, reason: unknown, heapLimitMb: number | undefined): Error {
  const e = toError(reason)
  const err = (e as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY'
    ? new Error(`worker ${i} ran out of memory (ERR_WORKER_OUT_OF_MEMORY${heapLimitMb ? `, heap limit ${heapLimitMb.toFixed(0)} MB` : ''}): ${e.message}. ` +
      'Give each worker less to hold (add workers, fewer VUs, smaller responses kept in state) or raise the limit with LOADSPEC_WORKER_HEAP_MB.', { cause: e })
    : new Error(`worker ${i} failed: ${e.message}`, { cause: e })
  err.name = 'WorkerError'
  return err
}
