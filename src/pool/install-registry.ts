/** First import of a worker bundle: installs the registry before the test file is evaluated. */
import { installRegistry } from './registry.ts'

installRegistry()
