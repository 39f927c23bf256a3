/** Registers loadspec's matchers on Vitest's `expect` once per worker. */
import { expect } from 'vitest'
import { loadspecMatchers } from '../../matchers/index.ts'

const kRegistered = Symbol.for('loadspec.vitest.matchers')

export function registerMatchers(): void {
  const g = globalThis as Record<symbol, unknown>
  if (g[kRegistered]) return
  expect.extend(loadspecMatchers)
  g[kRegistered] = true
}
