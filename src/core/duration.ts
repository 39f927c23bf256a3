/**
 * Durations as users write them: a number of milliseconds, or k6-style strings. The grammar is k6's
 * `ParseExtendedDuration` (lib/types/types.go): a bare number is ms, otherwise Go's duration syntax
 * (`1h30m`, `1.5s`, `250ms`, `100us`/`µs`, `10ns`) optionally preceded by whole days (`1d23h`).
 * Unlike k6, negative durations are errors: no loadspec option means anything by one.
 */
import { InvalidOptionError } from '../errors.ts'
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
}
const DAY_MS = 86_400_000
/** One Go duration part: a decimal with at least one digit (`1`, `1.5`, `.5`, `1.`), then a unit. */
const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y
const BARE_MS = /^\d+(\.\d+)?$/
/** Whole days first, as k6 (`2.1d` and `1h2d` are errors there too). */
const DAYS = /^\+?(\d+)d/

export type Duration = string | number

/** Parses a duration to ms, or returns null when it is malformed or negative (callers word the error). */
export function parseDurationOrNull(value: Duration): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null
  if (typeof value !== 'string') return null
  const text = value.trim()
  if (text === '') return null
  if (BARE_MS.test(text)) return Number(text)
  let days = 0
  let rest = text
  if (text.includes('d')) {
    const m = DAYS.exec(text)
    if (!m) return null
    days = Number(m[1])
    rest = text.slice(m[0].length)
    if (rest === '') return days * DAY_MS
  }
  const go = goDurationMs(rest)
  return go === null ? null : days * DAY_MS + go
}

/** Go's `time.ParseDuration` for non-negative values: `[+]?(number unit)+`, or a lone `0`. */
function goDurationMs(text: string): number | null {
  let pos = text.startsWith('+') ? 1 : 0
  if (text.slice(pos) === '0') return 0
  if (pos === text.length) return null
  let total = 0
  while (pos < text.length) {
    PART.lastIndex = pos
    const m = PART.exec(text)
    if (!m) return null
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number)
    pos = PART.lastIndex
  }
  return total
}

export const DURATION_HINT = `a number of ms or a string like '500ms', '30s', '2m', '1m30s', '1d12h' or '250us'`

/** Parses a duration to ms or throws an InvalidOptionError that says what a duration looks like. */
export function parseDuration(value: Duration, what = 'duration'): number {
  const ms = parseDurationOrNull(value)
  if (ms === null) throw new InvalidOptionError(what, `${what}: ${JSON.stringify(value)} is not a duration; use ${DURATION_HINT}`)
  return ms
}

/** Formats ms for people: 850ms, 12.5s, 3m20s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`
  const m = Math.floor(ms / 60_000)
  const s = Math.round((ms % 60_000) / 1000)
  return s ? `${m}m${s}s` : `${m}m`
}
