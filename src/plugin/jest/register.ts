/**
 * Registers loadspec's matchers on Jest's `expect` (the global of the test file's environment;
 * each test file has its own). Outside Jest there is no `expect`, and nothing to do.
 */
import { loadspecMatchers } from '../../matchers/index.ts'
import { jestExpect } from './globals.ts'

const registered = new WeakSet<object>()

export function registerMatchers(): void {
  const expect = jestExpect()
  if (!expect || registered.has(expect)) return
  expect.extend(loadspecMatchers)
  registered.add(expect)
}
