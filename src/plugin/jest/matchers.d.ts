// Types of loadspec's matchers on Jest's `expect`, both ways a Jest user gets it: imported from
// `@jest/globals` (the `expect` package's `Matchers`) and as @types/jest's ambient global
// (`jest.Matchers`). Shipped as written (not compiled) and referenced by loadspec/jest's index.d.ts.
import type { LoadspecMatchers } from '../../matchers/index.ts'

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> extends LoadspecMatchers<R> {}
}

declare global {
  namespace jest {
    interface Matchers<R, T = {}> extends LoadspecMatchers<R> {}
  }
}
