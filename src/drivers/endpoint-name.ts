/**
 * The default `name` tag: method and path with ids collapsed, so `/rooms/42/messages` and
 * `/rooms/43/messages` are one endpoint (`GET /rooms/:id/messages`), never one row per URL.
 */
const NUMERIC = /^\d+$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const HEX = /^[0-9a-f]{8,}$/i
const LONG_MIXED = /^(?=.*\d)[A-Za-z0-9_-]{16,}$/

/** True for a path segment that looks like an identifier. */
export function isIdSegment(segment: string): boolean {
  return NUMERIC.test(segment) || UUID.test(segment) || HEX.test(segment) || LONG_MIXED.test(segment)
}

/** `/rooms/42/messages?since=1` → `/rooms/:id/messages` (query dropped). */
export function collapsePath(pathname: string): string {
  const q = pathname.indexOf('?')
  const path = q === -1 ? pathname : pathname.slice(0, q)
  if (path === '' || path === '/') return '/'
  const parts = path.split('/')
  for (let i = 0; i < parts.length; i++) if (parts[i] && isIdSegment(parts[i] as string)) parts[i] = ':id'
  return parts.join('/')
}

export function defaultEndpointName(method: string, pathname: string): string {
  return `${method} ${collapsePath(pathname)}`
}

/**
 * The default `name` tag of a WebSocket session: `ws://host/rooms/<uuid>/feed` → `WS /rooms/:id/feed`,
 * with the same id rules as HTTP's, so per-session ids never give every session its own series.
 */
export function wsEndpointName(url: string): string {
  let pathname: string
  try { pathname = new URL(url).pathname } catch { return 'WS' }
  return `WS ${collapsePath(pathname)}`
}
