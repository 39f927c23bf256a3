/**
 * The generator judges itself: each thread that runs load measures its own event-loop delay and
 * CPU time, so a saturated generator is reported as such and never mistaken for a slow server.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { GeneratorHealth } from '../metrics/result-data.ts'

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>

export type { GeneratorHealth }

/** Above these the generator is saturated: its own delay would show up as server latency. */
export const HEALTH_LIMITS = { loopDelayP99Ms: 50, cpu: 0.9, eventLoopUtilization: 0.9 } as const
/** Shorter readings are not judged: a few ms of start-up work is not saturation. */
export const MIN_JUDGED_WALL_MS = 1000

export class HealthMonitor {
  private readonly delay: IntervalHistogram
  private readonly elu = performance.eventLoopUtilization()
  private readonly cpu0 = threadCpu()
  private readonly t0 = performance.now()

  constructor(private readonly worker: number) {
    this.delay = monitorEventLoopDelay({ resolution: 10 })
    this.delay.enable()
  }

  read(): GeneratorHealth {
    const wall = (performance.now() - this.t0) * 1000
    const cpu = threadCpu()
    return {
      worker: this.worker,
      loopDelayP99Ms: this.delay.count ? this.delay.percentile(99) / 1e6 : 0,
      loopDelayMaxMs: this.delay.count ? this.delay.max / 1e6 : 0,
      eventLoopUtilization: performance.eventLoopUtilization(this.elu).utilization,
      cpu: wall > 0 ? (cpu - this.cpu0) / wall : 0,
      wallMs: wall / 1000,
    }
  }

  /** Final reading; releases the delay monitor's timer. */
  stop(): GeneratorHealth {
    const h = this.read()
    this.delay.disable()
    return h
  }
}

/** Problems of a reading, as sentences for the summary and the matcher. */
export function healthProblems(h: GeneratorHealth): string[] {
  const out: string[] = []
  if (h.wallMs < MIN_JUDGED_WALL_MS) return out
  if (h.loopDelayP99Ms > HEALTH_LIMITS.loopDelayP99Ms) out.push(`worker ${h.worker}: event-loop delay p99 ${h.loopDelayP99Ms.toFixed(1)} ms (limit ${HEALTH_LIMITS.loopDelayP99Ms} ms)`)
  if (h.cpu > HEALTH_LIMITS.cpu) out.push(`worker ${h.worker}: CPU ${(h.cpu * 100).toFixed(0)}% of a core (limit ${HEALTH_LIMITS.cpu * 100}%)`)
  // A loop that never waits is saturated even when the OS gives it less than a core (a busy
  // machine), and a chain of microtasks starves the delay monitor's own timer: utilisation sees both.
  if (h.eventLoopUtilization > HEALTH_LIMITS.eventLoopUtilization) {
    out.push(`worker ${h.worker}: event loop busy ${(h.eventLoopUtilization * 100).toFixed(0)}% of the time (limit ${HEALTH_LIMITS.eventLoopUtilization * 100}%)`)
  }
  return out
}

/** CPU µs of this thread (process.threadCpuUsage where Node has it, else the event loop's busy time). */
function threadCpu(): number {
  const p = process as NodeJS.Process & { threadCpuUsage?: () => { user: number; system: number } }
  if (typeof p.threadCpuUsage === 'function') { const u = p.threadCpuUsage(); return u.user + u.system }
  const e = performance.eventLoopUtilization()
  return e.active * 1000
}
