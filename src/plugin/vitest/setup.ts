/** Setup file the plugin adds to every project: matchers are there even without importing perf. */
import { registerMatchers } from './register.ts'

registerMatchers()
