/**
 * Durations: k6's ParseExtendedDuration table, ported row by row from grafana/k6
 * lib/types/types_test.go (TestParseExtendedDuration), plus the units Go's time.ParseDuration
 * accepts that the table does not exercise.
 */
import { describe, expect, test } from 'vitest'
import { parseDuration, parseDurationOrNull } from '../../src/core/duration.ts'

const S = 1000
const M = 60 * S
const H = 60 * M
const NS = 1e-6

describe('k6 ParseExtendedDuration table (lib/types/types_test.go)', () => {
  // [input, expected ms or null for an error]
  test.each<[string, number | null]>([
    ['', null],
    ['d', null],
    ['d2h', null],
    ['2.1d', null],
    ['2d-2h', null],
    ['-2d-2h', null],
    ['2+d', null],
    ['2da', null],
    ['2-d', null],
    ['1.12s', 1120],
    ['0d1.12s', 1120],
    ['10d1.12s', 240 * H + 1120],
    ['1s', S],
    ['1d', 24 * H],
    ['20d', 480 * H],
    ['1d23h', 47 * H],
    ['1d24h15m', 48 * H + 15 * M],
    ['1d25h80m', 50 * H + 20 * M],
    ['0d25h120m80s', 27 * H + 80 * S],
    ['2d1ns', 48 * H + NS],
    // time.Duration(math.MaxInt64) = 9223372036854775807 ns, written with and without days
    ['2562047h47m16.854775807s', 9_223_372_036_854.775807],
    ['106751d23h47m16.854775807s', 9_223_372_036_854.775807],
  ])('%j → %s ms', (input, ms) => {
    const got = parseDurationOrNull(input)
    if (ms === null) expect(got).toBeNull()
    // floating-point ms: the sums above are exact to far below a nanosecond except the MaxInt64 rows (< 0.01 ms of 9e12)
    else expect(got).toBeCloseTo(ms, ms > 1e12 ? 1 : 9)
  })

  // k6 accepts negative durations (its table expects -1d2h = -26h); no loadspec option means
  // anything by a negative one, so these are errors here (docs/k6-compat.md).
  test.each(['-1d2h', '-1d24h', '-2562047h47m16.854775807s', '-106751d23h47m16.854775807s', '-1s', '-5'])('%s is an error in loadspec', (input) => {
    expect(parseDurationOrNull(input)).toBeNull()
  })
})

describe('units and forms', () => {
  test.each<[string | number, number]>([
    [500, 500], ['500ms', 500], ['30s', 30 * S], ['2m', 2 * M], ['1m30s', 90 * S], ['1.5s', 1500], ['1h', H], ['250', 250], ['0', 0],
    ['250us', 0.25], ['250µs', 0.25], ['250μs', 0.25], ['1500ns', 0.0015], ['.5s', 500], ['1.s', S], ['+2m', 2 * M], ['1d0', 24 * H],
    ['1h1m1s1ms1us1ns', H + M + S + 1 + 0.001 + NS], [' 2s ', 2 * S],
  ])('%j → %d ms', (input, ms) => {
    expect(parseDurationOrNull(input)).toBeCloseTo(ms, 9)
  })

  test.each<string | number>(['5x', 's', '10 s', '1 d', '1h2d', '1.5d', '1D', '1S', '.s', '1e3', -5, Number.NaN, Infinity])('%j is not a duration', (input) => {
    expect(parseDurationOrNull(input)).toBeNull()
  })

  test('the error says what a duration looks like, days and microseconds included', () => {
    expect(() => parseDuration('5x', 'gracefulStop')).toThrow(`gracefulStop: "5x" is not a duration; use a number of ms or a string like '500ms', '30s', '2m', '1m30s', '1d12h' or '250us'`)
  })
})
