/**
 * Load workers run with a young generation of one fixed size, full from their first second.
 *
 * V8 starts a thread's new space small and doubles it each time the bytes surviving scavenges
 * since the last doubling exceed its capacity, up to a maximum (64 MB per semi-space here), and
 * keeps it while the thread allocates quickly. When that happens depends on the load's rate: 30 s
 * for one worker at 100 k req/s, about 100 s for two, later on a busy machine; so RSS stepped up by
 * ~100 MB a minute or two into a run, and then kept rising while V8 first touched the pages of the
 * larger space, which reads as memory growing with the run's length (docs/performance.md, soak).
 *
 * Fixed at 32 MB per semi-space (minimum = maximum) the young generation is full within seconds,
 * RSS is ~30 MB lower per worker than at V8's own maximum, and an A/B at full speed showed no cost
 * in requests per second (a fixed 16 MB semi-space did cost ~25 % CPU per request: more scavenges).
 *
 * Node's resourceLimits set the maximum (maxYoungGenerationSizeMb: two semi-spaces plus the new
 * large-object space, 3 × the semi-space); there is no per-Worker option for the initial size, so
 * the V8 flag `--min-semi-space-size` is set while the pool's threads create their heaps and put
 * back as soon as every thread is online. An isolate another part of the process creates in that
 * window (milliseconds) would start with the same size. A user who set the flag keeps theirs.
 */
import { once } from 'node:events'
import { setTimeout } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import type { Worker } from 'node:worker_threads'

/** MB per semi-space of a load worker, its initial and its maximum size. */
export const WORKER_SEMI_SPACE_MB = 32
/** The same as Node's resourceLimits.maxYoungGenerationSizeMb (V8: 3 × the semi-space). */
export const WORKER_YOUNG_GENERATION_MB = 3 * WORKER_SEMI_SPACE_MB
const FLAG = '--min-semi-space-size'
/** A thread that is not online by then is left to the pool's own start-up deadline. */
const ONLINE_WAIT_MS = 10_000

function userSetsFlag(): boolean {
  const given = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)]
  return given.some((a) => a.replace(/_/g, '-').startsWith(FLAG))
}

/**
 * Creates the pool with `create` while new isolates get a full-size young generation, and resolves
 * once every thread `threadsOf` returns is online (or has failed, or ONLINE_WAIT_MS passed).
 */
export async function withFullYoungGeneration<T>(create: () => T, threadsOf: (pool: T) => readonly Worker[]): Promise<T> {
  if (userSetsFlag()) return create()
  setFlagsFromString(`${FLAG}=${WORKER_SEMI_SPACE_MB}`)
  const done = new AbortController()
  try {
    const pool = create()
    const { signal } = done
    const online = (w: Worker) => Promise.race([once(w, 'online', { signal }), once(w, 'exit', { signal }), once(w, 'error', { signal })]).catch(() => undefined)
    const late = setTimeout(ONLINE_WAIT_MS, undefined, { signal }).catch(() => undefined)
    await Promise.race([Promise.all(threadsOf(pool).map(online)), late])
    return pool
  } finally {
    done.abort() // removes the listeners and the timer
    setFlagsFromString(`${FLAG}=0`)
  }
}
