// Types of loadspec's matchers on Vitest 5's `expect`: Vitest 5 augments `Matchers<R, T>`.
// Shipped as written (not compiled) and referenced by loadspec/vitest's index.d.ts.
import type { LoadspecMatchers } from '../../matchers/index.ts'

declare module 'vitest' {
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> extends LoadspecMatchers<R> {}
}
