/// <reference path="./matchers-v5.d.ts" />
/** `loadspec/vitest`: the runtime API, with matcher types for Vitest 5. */
export * from './api.ts'
