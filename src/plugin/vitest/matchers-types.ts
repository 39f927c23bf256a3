/**
 * Types of loadspec's matchers on Vitest 5's `expect` (Vitest 5 augments `Matchers<R, T>`;
 * Vitest 4's `Assertion<T>` is augmented by `loadspec/vitest4`, see docs/typing.md).
 */
import type { LoadspecMatchers } from '../../matchers/index.ts'

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- T is part of Vitest's declaration
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> extends LoadspecMatchers<R> {}
}
export {}
