/** When the terminal summary is coloured: FORCE_COLOR, then NO_COLOR, then whether the output is a terminal. */
import { describe, expect, test } from 'vitest'
import { colorEnabled, palette, PLAIN } from '../../src/report/colors.ts'

const tty = { isTTY: true }
const pipe = { isTTY: false }

describe('colorEnabled', () => {
  test.each([
    ['a terminal', {}, tty, true],
    ['a pipe or file', {}, pipe, false],
    ['a stream that does not say (no isTTY)', {}, {}, false],
    ['a dumb terminal', { TERM: 'dumb' }, tty, false],
    ['NO_COLOR on a terminal', { NO_COLOR: '1' }, tty, false],
    ['an empty NO_COLOR (no-color.org: ignored)', { NO_COLOR: '' }, tty, true],
    ['FORCE_COLOR=1 on a pipe', { FORCE_COLOR: '1' }, pipe, true],
    ['FORCE_COLOR set empty on a pipe', { FORCE_COLOR: '' }, pipe, true],
    ['FORCE_COLOR=3 on a pipe', { FORCE_COLOR: '3' }, pipe, true],
    ['FORCE_COLOR=true on a pipe', { FORCE_COLOR: 'true' }, pipe, true],
    ['FORCE_COLOR=0 on a terminal', { FORCE_COLOR: '0' }, tty, false],
    ['FORCE_COLOR=false on a terminal', { FORCE_COLOR: 'false' }, tty, false],
    ['FORCE_COLOR=1 over NO_COLOR (as Node decides)', { FORCE_COLOR: '1', NO_COLOR: '1' }, pipe, true],
    ['CI alone on a pipe', { CI: 'true' }, pipe, false],
  ] as const)('%s', (_label, env, stream, expected) => {
    expect(colorEnabled(env, stream)).toBe(expected)
  })
})

test('a disabled palette is the plain one; an enabled one wraps text in escapes and back', () => {
  expect(palette(false)).toBe(PLAIN)
  expect(PLAIN.bad('✗')).toBe('✗')
  const c = palette(true)
  expect(c.ok('✓')).toBe('\u001b[32m✓\u001b[39m')
  expect(c.bad('✗')).toBe('\u001b[1m\u001b[31m✗\u001b[39m\u001b[22m')
  expect(c.warn('⚠')).toBe('\u001b[33m⚠\u001b[39m')
})
