import { defineConfig } from 'vitest/config'

// `npm run test:jest`: the end-to-end tests that run Jest on fixture projects (on the built package).
export default defineConfig({
  test: {
    include: ['test/e2e/jest*.test.ts'],
    testTimeout: 120_000,
    // Each test runs Jest, which has workers of its own: one file at a time on a busy machine.
    fileParallelism: false,
  },
})
