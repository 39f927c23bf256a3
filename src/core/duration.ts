/**
 * Durations as users write them: a number of milliseconds, or k6-style strings ('500ms', '30s',
 * '2m', '1h', '1m30s', '1.5s').
 */
import { InvalidOptionError } from '../errors.ts'
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y

export type Duration = string | number

/** Parses a duration to ms, or returns null when it is malformed (callers word the error). */
export function parseDurationOrNull(value: Duration): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null
  const text = value.trim()
  if (text === '') return null
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text)
  let total = 0
  PART.lastIndex = 0
  let pos = 0
  while (pos < text.length) {
    PART.lastIndex = pos
    const m = PART.exec(text)
    if (!m) return null
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number)
    pos = PART.lastIndex
  }
  return total
}

export const DURATION_HINT = `a number of ms or a string like '500ms', '30s', '2m' or '1m30s'`

/** Parses a duration to ms or throws a TypeError that says what a duration looks like. */
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
