import { defineConfig } from 'vitest/config'
import { loadspec } from './src/plugin/vitest/index.ts'

// `npm run perf`: the example suites against the example servers at their `full` profile.
export default defineConfig({
  plugins: [loadspec({ profile: 'full' })],
  test: {
    include: ['perf/**/*.perf.ts'],
    // One suite at a time: suites running side by side would measure each other.
    fileParallelism: false,
  },
})
