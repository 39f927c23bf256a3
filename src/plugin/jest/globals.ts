/**
 * Jest's API as the test file sees it: ambient globals (`test`, `expect`), read when used, never
 * imported (`@jest/globals` throws outside Jest's environment, and a pool worker has only stubs).
 * The running test's timeout and start come from jest-circus's state, which Jest gives no public
 * getter for; where it cannot be read, a scenario run has no own deadline (README).
 */
import { UsageError } from '../../errors.ts'

type TestBody = () => Promise<void>
export interface JestTest {
  (name: string, fn: TestBody, timeout?: number): void
  only: JestTest
  skip: JestTest
}
export interface JestExpect {
  extend(matchers: Record<string, unknown>): void
  getState(): { testPath?: string; currentTestName?: string; snapshotState?: unknown }
}

const g = globalThis as unknown as { test?: JestTest; expect?: JestExpect } & Record<symbol, unknown>

export function jestTest(): JestTest {
  if (typeof g.test !== 'function') {
    throw new UsageError('loadspec/jest: Jest\'s global `test` is not defined; run this file with Jest (with injectGlobals, the default), or import perf from loadspec/vitest under Vitest')
  }
  return g.test
}

/** Jest's `expect`, or undefined outside Jest. */
export function jestExpect(): JestExpect | undefined {
  return typeof g.expect === 'function' ? g.expect : undefined
}

interface CircusTest { timeout?: number; startedAt?: number | null }
interface CircusState { testTimeout?: number; currentlyRunningTest?: CircusTest | null }

/** jest-circus keeps its state under a local `Symbol('JEST_STATE_SYMBOL')` on the global (Jest 29 and 30). */
function circusState(): CircusState | undefined {
  const sym = Object.getOwnPropertySymbols(g).find((s) => s.description === 'JEST_STATE_SYMBOL')
  const state = sym ? g[sym] : undefined
  return typeof state === 'object' && state !== null ? (state as CircusState) : undefined
}

/** The running test's timeout (ms) and start (epoch ms), when jest-circus tells them. */
export function runningTestClock(): { timeoutMs: number; startedAt: number } | undefined {
  const state = circusState()
  const test = state?.currentlyRunningTest
  if (!test) return undefined
  // As jest-circus decides: the test's own timeout, else jest.setTimeout()'s, else the config's.
  const timeoutMs = test.timeout || (g[Symbol.for('TEST_TIMEOUT_SYMBOL')] as number | undefined) || state.testTimeout
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) return undefined
  return { timeoutMs, startedAt: typeof test.startedAt === 'number' ? test.startedAt : Date.now() }
}
