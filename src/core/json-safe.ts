/**
 * `setup()` results cross to every VU, and later to worker threads and files, as JSON. Anything
 * JSON would silently drop or mangle (functions, undefined, class instances, NaN) is refused with
 * the path of the offending value instead.
 */
export function jsonSafeProblem(value: unknown, path = 'data', seen = new Set<object>()): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot hold`
  if (typeof value !== 'object') return `${path} is a ${typeof value}, which JSON cannot hold`
  if (seen.has(value)) return `${path} refers back to itself (a cycle)`
  seen.add(value)
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) { const p = jsonSafeProblem(value[i], `${path}[${i}]`, seen); if (p) return p }
      return null
    }
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) return `${path} is a ${value.constructor?.name ?? 'class'} instance; return plain objects, arrays, strings, numbers and booleans`
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue
      const p = jsonSafeProblem(v, `${path}.${k}`, seen)
      if (p) return p
    }
    return null
  } finally {
    seen.delete(value)
  }
}
