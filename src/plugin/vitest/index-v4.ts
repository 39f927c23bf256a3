/** `loadspec/vitest` under the `vitest4` condition: the same runtime, matcher types for Vitest 4. */
export * from './api.ts'
