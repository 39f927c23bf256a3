/** What the matchers accept: a PerfResult or a view narrowed by endpoint, scenario or phase. */
import { MetricView } from '../metrics/result.ts'
import { MatcherUsageError } from '../errors.ts'

export function asView(matcher: string, received: unknown): MetricView {
  if (received instanceof MetricView) return received
  // A result from another copy of the package (e.g. a worker's) still has the same shape.
  if (typeof received === 'object' && received !== null && typeof (received as MetricView).query === 'function' && 'filter' in received) {
    return received as MetricView
  }
  const what = received === null ? 'null' : Array.isArray(received) ? 'an array' : typeof received
  throw new MatcherUsageError(`${matcher}: expected a PerfResult or a metric view (result.endpoint(name), result.scenario(name)); received ${what}`)
}
