/** Worker-thread handles of this process, for tests that check a run leaves none behind. */
export const threads = (): number => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker' || r === 'WorkerHandle').length

/**
 * The thread handle count once it stops changing (handles of an earlier run close a few loop
 * turns after it returned), or as soon as it equals `target`; bounded at 2 s.
 */
export async function settledThreads(target?: number): Promise<number> {
  let n = threads()
  for (let turns = 0, end = performance.now() + 2_000; performance.now() < end; turns++) {
    await new Promise((resolve) => setImmediate(resolve))
    const now = threads()
    if (now === target) return now
    if (target === undefined && now === n && turns >= 10) return now
    n = now
  }
  return threads()
}
