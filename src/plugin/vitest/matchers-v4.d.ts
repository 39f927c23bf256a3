// Types of loadspec's matchers on Vitest 4's `expect`: Vitest 4 augments `Assertion<T>` and
// `AsymmetricMatchersContaining`. Selected by the `vitest4` export condition (docs/typing.md).
import type { LoadspecMatchers } from '../../matchers/index.ts'

declare module 'vitest' {
  interface Assertion<T = any> extends LoadspecMatchers<void> {}
  interface AsymmetricMatchersContaining extends LoadspecMatchers<void> {}
}
