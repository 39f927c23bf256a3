/** `setupFilesAfterEnv: ['loadspec/jest/setup']`: the matchers in every test file, even without importing perf. */
import { registerMatchers } from './register.ts'

registerMatchers()
