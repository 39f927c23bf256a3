/**
 * Deterministic weighted interleaving (smooth weighted round-robin, as nginx balances upstreams):
 * weights 10 / 1 / 0.5 give the sequence a 10 : 1 : 0.5 share at every prefix, spread out rather
 * than in runs. Deterministic, so every worker assigns the same user type to a global VU index.
 */
import { UsageError } from '../errors.ts'
export class WeightedSequence {
  private readonly current: number[]
  private readonly total: number
  constructor(private readonly weights: readonly number[]) {
    this.current = weights.map(() => 0)
    this.total = weights.reduce((a, b) => a + b, 0)
  }
  /** Index of the next item. */
  next(): number {
    if (this.weights.length === 1) return 0
    let best = 0
    for (let i = 0; i < this.weights.length; i++) {
      this.current[i] = (this.current[i] as number) + (this.weights[i] as number)
      if ((this.current[i] as number) > (this.current[best] as number)) best = i
    }
    this.current[best] = (this.current[best] as number) - this.total
    return best
  }
}

/** First `n` items of the sequence. */
export function weightedAssignment(weights: readonly number[], n: number): Uint16Array {
  const seq = new WeightedSequence(weights)
  const out = new Uint16Array(n)
  for (let i = 0; i < n; i++) out[i] = seq.next()
  return out
}

/** Random weighted choice (for `pick()`): keys with weight ≤ 0 are never chosen. */
export function pickWeighted<K extends string>(weights: Readonly<Record<K, number>>, random: () => number = Math.random): K {
  let total = 0
  for (const k in weights) {
    const w = weights[k]
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new UsageError(`pick(): weight of "${k}" must be a number ≥ 0; got ${String(w)}`)
    total += w
  }
  if (total <= 0) throw new UsageError('pick(): needs at least one key with a positive weight, e.g. pick({ send: 3, get: 2 })')
  let r = random() * total
  let last: K | undefined
  for (const k in weights) {
    const w = weights[k]
    if (w <= 0) continue
    last = k
    if (r < w) return k
    r -= w
  }
  return last as K
}
