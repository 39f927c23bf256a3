import { afterEach, describe, expect, test } from 'vitest'
import { normalizeOptions } from '../../src/core/normalize.ts'
import { InvalidOptionError } from '../../src/errors.ts'

const fn = async () => {}

function errorOf(options: unknown, withFn = true): InvalidOptionError {
  try {
    normalizeOptions('block', options, withFn ? fn : undefined, { profile: undefined, scale: 1 })
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidOptionError)
    return err as InvalidOptionError
  }
  throw new Error('expected an InvalidOptionError')
}

describe('bad options give one clear error naming the option', () => {
  test.each([
    ['unknown executor', { executor: 'constant-vu', vus: 1, duration: '1s' }, 'executor', /"constant-vu" is not an executor; use one of constant-vus, ramping-vus/],
    ['negative rate', { executor: 'constant-arrival-rate', rate: -5, duration: '1s', preAllocatedVUs: 1 }, 'rate', /rate: must be a positive number of iterations per timeUnit; got -5/],
    ['malformed duration', { executor: 'constant-vus', vus: 2, duration: '10 seconds' }, 'duration', /duration: "10 seconds" is not a duration; use a number of ms or a string like '500ms'/],
    ['malformed stage duration', { executor: 'ramping-vus', stages: [{ duration: '1s', target: 2 }, { duration: '5x', target: 0 }] }, 'stages[1].duration', /stages\[1\]\.duration: "5x" is not a duration/],
    ['unknown key with a suggestion', { executor: 'constant-vus', vu: 2, duration: '1s' }, 'vu', /vu: unknown option; did you mean "vus"\?/],
    ['unknown key far from any option', { executor: 'constant-vus', vus: 2, duration: '1s', banana: true }, 'banana', /banana: unknown option; remove it/],
    ['fractional VUs', { executor: 'constant-vus', vus: 2.5, duration: '1s' }, 'vus', /vus: must be a whole number of VUs/],
    ['missing required field', { executor: 'constant-arrival-rate', rate: 5, duration: '1s' }, 'preAllocatedVUs', /preAllocatedVUs: must be a whole number of VUs/],
    ['maxVUs below preAllocatedVUs', { executor: 'constant-arrival-rate', rate: 5, duration: '1s', preAllocatedVUs: 5, maxVUs: 2 }, 'maxVUs', /maxVUs: 2 is less than preAllocatedVUs \(5\)/],
    ['unknown key in a scenario', { executor: 'constant-vus', vus: 1, duration: '1s', scenarios: { a: { wieght: 2 } } }, 'scenarios.a.wieght', /scenarios\.a\.wieght: unknown option; did you mean "weight"\?/],
    ['unknown key in a profile', { executor: 'constant-vus', vus: 1, duration: '1s', profiles: { ci: { vsu: 1 } } }, 'profiles.ci.vsu', /profiles\.ci\.vsu: unknown option; did you mean "vus"\?/],
    ['bad http.baseUrl', { vus: 1, duration: '1s', http: { baseUrl: 'not a url' } }, 'http.baseUrl', /http\.baseUrl: must be an absolute URL/],
    ['options not an object', 42, 'options', /options: must be an object; got number/],
  ])('%s', (_what, options, option, message) => {
    const err = errorOf(options)
    expect(err.option).toBe(option)
    expect(err.message).toMatch(/^Invalid options for perf "block":/)
    expect(err.message).toMatch(message)
    expect(err.code).toBe('LOADSPEC_ERR_INVALID_OPTION')
  })

  test('several problems are listed in the one error', () => {
    const err = errorOf({ executor: 'constant-vus', vus: -1, duration: 'x', extra: 1 })
    expect(err.message.split('\n  - ').length).toBe(4)
  })

  test('no function anywhere is named', () => {
    expect(errorOf({ vus: 1, duration: '1s' }, false).message).toMatch(/fn: perf "block" has no function to run/)
  })
})

describe('normalisation', () => {
  afterEach(() => {
    delete process.env['LOADSPEC_PROFILE']
    delete process.env['LOADSPEC_SCALE']
  })

  test('k6 shortcuts infer the executor', () => {
    const kind = (o: object) => normalizeOptions('b', o, fn).units[0]?.executor.kind
    expect(kind({ vus: 2, duration: '1s' })).toBe('constant-vus')
    expect(kind({ stages: [{ duration: '1s', target: 2 }] })).toBe('ramping-vus')
    expect(kind({ rate: 5, duration: '1s', preAllocatedVUs: 1 })).toBe('constant-arrival-rate')
    expect(kind({ iterations: 5 })).toBe('shared-iterations')
    expect(kind({})).toBe('shared-iterations')
  })

  test('LOADSPEC_PROFILE picks the profile and LOADSPEC_SCALE scales VUs and rates', () => {
    const options = { executor: 'constant-arrival-rate', rate: 100, duration: '1s', preAllocatedVUs: 10, profiles: { ci: { rate: 20, duration: '2s' }, full: { rate: 2000 } } }
    process.env['LOADSPEC_PROFILE'] = 'ci'
    process.env['LOADSPEC_SCALE'] = '0.5'
    const plan = normalizeOptions('b', options, fn)
    expect(plan.profile).toBe('ci')
    expect(plan.units[0]?.executor).toMatchObject({ kind: 'constant-arrival-rate', ratePerSec: 10, durationMs: 2000, preAllocatedVUs: 5 })
  })

  test('timeUnit turns rates into per-second figures', () => {
    const plan = normalizeOptions('b', { executor: 'constant-arrival-rate', rate: 60, timeUnit: '1m', duration: '1s', preAllocatedVUs: 1 }, fn)
    expect(plan.units[0]?.executor).toMatchObject({ ratePerSec: 1 })
  })

  test('weighted user types share the block executor; entries with an executor run on their own', () => {
    const plan = normalizeOptions('b', {
      executor: 'ramping-vus', stages: [{ duration: '1s', target: 10 }],
      scenarios: { normal: { weight: 10 }, heavy: { weight: 1, pacing: '100ms' }, spike: { executor: 'constant-vus', vus: 2, duration: '1s', startTime: '500ms', fn } },
    }, fn)
    expect(plan.units.map((u) => [u.name, u.userTypes.map((t) => t.name), u.vuIdOffset, u.startTimeMs])).toEqual([
      ['default', ['normal', 'heavy'], 0, 0], ['spike', ['spike'], 10, 500]])
    expect(plan.units[0]?.userTypes[1]?.pacingMs).toBe(100)
    expect(plan.maxDurationMs).toBe(31_500)
  })
})
