import { defineConfig } from 'vitest/config'
import { loadspec } from './src/plugin/vitest/index.ts'

// `npm test`: unit and end-to-end tests, plus the example perf suites at their `ci` profile.
export default defineConfig({
  plugins: [loadspec({ profile: 'ci' })],
  test: {
    include: ['test/**/*.test.ts', 'perf/**/*.perf.ts'],
    exclude: ['test/fixtures/**', 'node_modules/**'],
    testTimeout: 60_000,
  },
})
