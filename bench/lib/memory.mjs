// Heap and RSS after a full GC (generators run with --expose-gc), for per-session / per-VU figures.
export function memorySnapshot() {
  globalThis.gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed }
}
