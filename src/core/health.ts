/**
 * The generator judges itself: each thread that runs load measures its own event-loop delay and
 * CPU time, so a saturated generator is reported as such and never mistaken for a slow server.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8'
import { resourceLimits } from 'node:worker_threads'
import type { GeneratorHealth } from '../metrics/result-data.ts'

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>

export type { GeneratorHealth }

/**
 * Above these the generator is saturated: its own delay would show up as server latency.
 * `loopDelayMaxMs` catches one long stall that p99 hides (one 2 s block among a few hundred
 * samples); `heapUsed` is the share of the heap limit in use, where GC runs back to back and the
 * thread is close to being killed for memory.
 */
export const HEALTH_LIMITS = { loopDelayP99Ms: 50, loopDelayMaxMs: 500, cpu: 0.9, eventLoopUtilization: 0.9, heapUsed: 0.85 } as const
/** Shorter readings are not judged: a few ms of start-up work is not saturation. */
export const MIN_JUDGED_WALL_MS = 1000

/** The delay monitor's sampling interval, ms. */
const RESOLUTION_MS = 10

export class HealthMonitor {
  private readonly delay: IntervalHistogram
  private readonly firstTick: NodeJS.Timeout
  private firstStallMs = 0
  private readonly elu = performance.eventLoopUtilization()
  private readonly cpu0 = threadCpu()
  private readonly t0 = performance.now()
  private heap = heapNow()

  constructor(private readonly worker: number) {
    this.delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
    this.delay.enable()
    // The delay monitor records the time between its ticks from its second tick on, so a stall
    // before its first one (a first iteration that blocks at once) would go unseen. A timer armed
    // with the same interval now is late by exactly that stall.
    const armed = performance.now()
    this.firstTick = setTimeout(() => { this.firstStallMs = Math.max(0, performance.now() - armed - RESOLUTION_MS) }, RESOLUTION_MS)
    this.firstTick.unref()
  }

  read(): GeneratorHealth {
    const wall = (performance.now() - this.t0) * 1000
    const cpu = threadCpu()
    // The most heap held at any reading: a heap that filled up and was freed again still came
    // close to the limit. Read once a second, so a peak between readings can be missed.
    const heap = heapNow()
    if (heap.usedMb / heap.limitMb > this.heap.usedMb / this.heap.limitMb) this.heap = heap
    return {
      worker: this.worker,
      loopDelayP99Ms: this.delay.count ? this.delay.percentile(99) / 1e6 : 0,
      loopDelayMaxMs: Math.max(this.delay.count ? this.delay.max / 1e6 : 0, this.firstStallMs),
      eventLoopUtilization: performance.eventLoopUtilization(this.elu).utilization,
      cpu: wall > 0 ? (cpu - this.cpu0) / wall : 0,
      wallMs: wall / 1000,
      heapUsedMb: this.heap.usedMb,
      heapLimitMb: this.heap.limitMb,
    }
  }

  /** Final reading; releases the delay monitor's timer. */
  stop(): GeneratorHealth {
    const h = this.read()
    clearTimeout(this.firstTick)
    this.delay.disable()
    return h
  }
}

/** Problems of a reading, as sentences for the summary and the matcher. */
export function healthProblems(h: GeneratorHealth): string[] {
  const out: string[] = []
  if (h.wallMs < MIN_JUDGED_WALL_MS) return out
  if (h.loopDelayP99Ms > HEALTH_LIMITS.loopDelayP99Ms) out.push(`worker ${h.worker}: event-loop delay p99 ${h.loopDelayP99Ms.toFixed(1)} ms (limit ${HEALTH_LIMITS.loopDelayP99Ms} ms)`)
  if (h.loopDelayMaxMs > HEALTH_LIMITS.loopDelayMaxMs) out.push(`worker ${h.worker}: event loop blocked for ${h.loopDelayMaxMs.toFixed(0)} ms at once (limit ${HEALTH_LIMITS.loopDelayMaxMs} ms)`)
  if (h.cpu > HEALTH_LIMITS.cpu) out.push(`worker ${h.worker}: CPU ${(h.cpu * 100).toFixed(0)}% of a core (limit ${HEALTH_LIMITS.cpu * 100}%)`)
  // A loop that never waits is saturated even when the OS gives it less than a core (a busy
  // machine), and a chain of microtasks starves the delay monitor's own timer: utilisation sees both.
  if (h.eventLoopUtilization > HEALTH_LIMITS.eventLoopUtilization) {
    out.push(`worker ${h.worker}: event loop busy ${(h.eventLoopUtilization * 100).toFixed(0)}% of the time (limit ${HEALTH_LIMITS.eventLoopUtilization * 100}%)`)
  }
  const heapShare = h.heapLimitMb > 0 ? h.heapUsedMb / h.heapLimitMb : 0
  if (heapShare > HEALTH_LIMITS.heapUsed) {
    out.push(`worker ${h.worker}: heap ${h.heapUsedMb.toFixed(0)} MB of its ${h.heapLimitMb.toFixed(0)} MB limit in use (${(heapShare * 100).toFixed(0)}%, limit ${HEALTH_LIMITS.heapUsed * 100}%)`)
  }
  return out
}

const MB = 1024 * 1024
const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space'])

/**
 * Heap in use against the limit that kills the thread. V8's heap_size_limit is the old
 * generation's limit plus the young generation's reserve (192 MB by default): a worker with a
 * 64 MB old generation runs out of memory at a quarter of it. A worker knows both limits
 * (worker_threads.resourceLimits), so it compares its old generation with the old limit; the
 * main thread does not, so it compares the whole heap with heap_size_limit.
 */
function heapNow(): { usedMb: number; limitMb: number } {
  const s = getHeapStatistics()
  const youngMb = resourceLimits.maxYoungGenerationSizeMb ?? 0
  if (youngMb <= 0 || s.heap_size_limit <= youngMb * MB) return { usedMb: s.used_heap_size / MB, limitMb: s.heap_size_limit / MB }
  let young = 0
  for (const space of getHeapSpaceStatistics()) if (YOUNG_SPACES.has(space.space_name)) young += space.space_used_size
  return { usedMb: (s.used_heap_size - young) / MB, limitMb: (s.heap_size_limit - youngMb * MB) / MB }
}

/** CPU µs of this thread (process.threadCpuUsage where Node has it, else the event loop's busy time). */
function threadCpu(): number {
  const p = process as NodeJS.Process & { threadCpuUsage?: () => { user: number; system: number } }
  if (typeof p.threadCpuUsage === 'function') { const u = p.threadCpuUsage(); return u.user + u.system }
  const e = performance.eventLoopUtilization()
  return e.active * 1000
}
