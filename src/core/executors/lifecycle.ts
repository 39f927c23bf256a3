/**
 * Shared pieces of the executors: the closed-model VU loop, waiting that a stop cuts short, and
 * the graceful stop (let in-flight iterations finish, then interrupt them).
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { Runtime } from '../runtime.ts'
import type { Vu } from '../vu.ts'

/** After interrupting, how long to wait for VU functions that ignore their signal. */
export const HARD_STOP_MS = 2_000

/** Runs iterations until told to stop; `more()` is asked last so it may claim shared work. */
export function startLoop(vu: Vu, rt: Runtime, more: () => boolean = always): void {
  vu.running = loop(vu, rt, more).finally(() => { vu.running = null })
}
const always = () => true

async function loop(vu: Vu, rt: Runtime, more: () => boolean): Promise<void> {
  rt.vuActive(1)
  try {
    while (!vu.stopRequested && !rt.stopped && !vu.interrupted && more()) {
      const pacing = vu.type.pacingMs
      // The clock is read for pacing only: without it, a read per iteration is wasted work.
      const start = pacing === null ? 0 : performance.now()
      await vu.iterate(null)
      if (pacing !== null && !vu.stopRequested && !vu.interrupted) {
        const rest = pacing - (performance.now() - start)
        if (rest > 0) await delay(rest, undefined, { signal: vu.state.signal }).catch(ignore)
      }
    }
  } finally {
    rt.vuActive(-1)
  }
}

/** A wait that ends after `ms`, when the run stops, or when cancelled; it never leaves a timer behind. */
export function timerOrStop(ms: number, rt: Runtime): { done: Promise<void>; cancel: () => void } {
  if (ms <= 0 || rt.stopped) return { done: Promise.resolve(), cancel: ignore }
  let cancel: () => void = ignore
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(finish, ms)
    const off = rt.onStop(finish)
    function finish() { clearTimeout(timer); off(); resolve() }
    cancel = finish
  })
  return { done, cancel }
}

/** Resolves after `ms`, or at once when the run stops. */
export function waitOrStop(ms: number, rt: Runtime): Promise<void> {
  return timerOrStop(ms, rt).done
}

/** Resolves true if `p` settled within `ms`, false on timeout. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(resolve, ms, false) })
  try {
    return await Promise.race([p.then(() => true, () => true), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * k6's gracefulStop: no new iterations; running ones get `gracefulMs` to finish, then their VUs
 * are interrupted (counted in iterations_interrupted). A run stop skips the grace period.
 */
export async function drain(vus: Iterable<Vu>, gracefulMs: number, rt: Runtime, extra: Promise<unknown>[] = []): Promise<void> {
  const list = [...vus]
  for (const v of list) v.stopRequested = true
  const pending = [...list.map((v) => v.running).filter((p): p is Promise<void> => p !== null), ...extra]
  if (pending.length === 0) return
  const all = Promise.allSettled(pending)
  let stopHook: () => void = ignore
  const stopped = new Promise<void>((resolve) => { stopHook = rt.onStop(resolve) })
  const inTime = rt.stopped ? false : await settlesWithin(Promise.race([all, stopped]), gracefulMs)
  stopHook()
  if (inTime && !rt.stopped) return
  for (const v of list) v.interrupt()
  if (await settlesWithin(all, HARD_STOP_MS)) return
  // A function that ignores its signal (or awaits a promise that never settles) is left behind,
  // so the run still ends near its bound; its iteration counts as interrupted.
  for (const v of list) v.abandon()
}

export function ignore(): void {}
