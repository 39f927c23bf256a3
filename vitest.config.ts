import { defineConfig } from 'vitest/config'
import { loadspec } from './src/plugin/vitest/index.ts'

// `npm test`: unit and end-to-end tests, plus the example perf suites at their `ci` profile.
export default defineConfig({
  plugins: [loadspec({ profile: 'ci' })],
  test: {
    include: ['test/**/*.test.ts', 'perf/**/*.perf.ts'],
    // The Jest end-to-end tests run on the built package: `npm run test:jest` (vitest.jest.config.ts).
    exclude: ['test/fixtures/**', '**/node_modules/**', 'test/e2e/jest*.test.ts'],
    testTimeout: 60_000,
  },
})
