import { afterEach, describe, expect, test } from 'vitest'
import { normalizeOptions, type NormalizeContext } from '../../src/core/normalize.ts'
import { run } from '../../src/index.ts'
import { InvalidOptionError } from '../../src/errors.ts'

const fn = async () => {}
const DURATION_HINT = "a number of ms or a string like '500ms', '30s', '2m', '1m30s', '1d12h' or '250us'"
const EXECUTOR_LIST = 'constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate, per-vu-iterations, shared-iterations'

function errorOf(options: unknown, withFn = true, ctx: NormalizeContext = { profile: undefined, scale: 1 }): InvalidOptionError {
  try {
    normalizeOptions('block', options, withFn ? fn : undefined, ctx)
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidOptionError)
    return err as InvalidOptionError
  }
  throw new Error('expected an InvalidOptionError')
}

/** The problem lines of an error, without its header. */
const linesOf = (err: Error) => err.message.split('\n  - ').slice(1)

const arrival = { executor: 'constant-arrival-rate', rate: 5, duration: '1s', preAllocatedVUs: 1 }
const ramping = { executor: 'ramping-vus' }
const thresholdOf = (spec: unknown) => ({ vus: 1, duration: '1s', thresholds: { http_req_failed: [spec] } })

describe('bad options give one clear error naming the option and what to change', () => {
  // [fault, options, the option path the error names, the whole problem line (or lines)]
  test.each<[string, unknown, string, string | string[]]>([
    // executors and their fields
    ['unknown executor', { executor: 'constant-vu', vus: 1, duration: '1s' }, 'executor', `executor: "constant-vu" is not an executor; use one of ${EXECUTOR_LIST}`],
    ['executor of the wrong type', { executor: 5, vus: 1, duration: '1s' }, 'executor', `executor: 5 is not an executor; use one of ${EXECUTOR_LIST}`],
    ['an option of another executor', { executor: 'constant-vus', vus: 1, duration: '1s', rate: 5 }, 'rate',
      'rate: is not an option of constant-vus; rate is taken by constant-arrival-rate, and constant-vus takes vus, duration, gracefulStop, startTime: change the executor or remove rate'],
    ['an option of other executors, executor inferred', { rate: 5, duration: '1s', preAllocatedVUs: 1, vus: 5 }, 'vus',
      'vus: is not an option of constant-arrival-rate (inferred from rate); vus is taken by constant-vus, per-vu-iterations, shared-iterations, and constant-arrival-rate takes rate, timeUnit, duration, preAllocatedVUs, maxVUs, gracefulStop, startTime: change the executor or remove vus'],
    ['gracefulRampDown outside ramping-vus', { executor: 'constant-vus', vus: 1, duration: '1s', gracefulRampDown: '1s' }, 'gracefulRampDown',
      'gracefulRampDown: is not an option of constant-vus; gracefulRampDown is taken by ramping-vus, and constant-vus takes vus, duration, gracefulStop, startTime: change the executor or remove gracefulRampDown'],
    ['duration with an iterations executor', { executor: 'per-vu-iterations', vus: 2, iterations: 3, duration: '1s' }, 'duration',
      'duration: is not an option of per-vu-iterations; duration is taken by constant-vus, constant-arrival-rate, and per-vu-iterations takes vus, iterations, maxDuration, gracefulStop, startTime: change the executor or remove duration'],
    ['missing required field', { executor: 'constant-arrival-rate', rate: 5, duration: '1s' }, 'preAllocatedVUs', 'preAllocatedVUs: is required by constant-arrival-rate: give a whole number of VUs'],
    ['missing field of an inferred executor', { duration: '1s' }, 'vus', 'vus: is required by constant-vus (inferred from duration): give a whole number of VUs'],
    ['negative rate', { ...arrival, rate: -5 }, 'rate', 'rate: must be a positive number of iterations per timeUnit; got -5'],
    ['rate that is not finite', { ...arrival, rate: Infinity }, 'rate', 'rate: must be a number of iterations per timeUnit; got Infinity'],
    ['timeUnit 0', { ...arrival, timeUnit: 0 }, 'timeUnit', "timeUnit: must be longer than 0 (got 0); rates are iterations per timeUnit, e.g. '1s'"],
    ["timeUnit '0s'", { executor: 'ramping-arrival-rate', timeUnit: '0s', stages: [{ duration: '1s', target: 2 }], preAllocatedVUs: 1 }, 'timeUnit', "timeUnit: must be longer than 0 (got \"0s\"); rates are iterations per timeUnit, e.g. '1s'"],
    ['duration 0', { executor: 'constant-vus', vus: 2, duration: 0 }, 'duration', 'duration: must be longer than 0 (got 0); a load of 0 ms runs nothing'],
    ['negative duration', { executor: 'constant-vus', vus: 2, duration: -5 }, 'duration', 'duration: must be 0 or more ms; got -5'],
    ['malformed duration', { executor: 'constant-vus', vus: 2, duration: '10 seconds' }, 'duration', `duration: "10 seconds" is not a duration; use ${DURATION_HINT}`],
    ['duration of the wrong type', { executor: 'constant-vus', vus: 2, duration: true }, 'duration', `duration: must be a duration: ${DURATION_HINT}; got true`],
    ['maxDuration 0', { executor: 'shared-iterations', iterations: 2, maxDuration: '0ms' }, 'maxDuration', 'maxDuration: must be longer than 0 (got "0ms"); the iterations would be stopped at once'],
    ['negative gracefulStop', { vus: 1, duration: '1s', gracefulStop: -1 }, 'gracefulStop', 'gracefulStop: must be 0 or more ms; got -1'],
    ['fractional VUs', { executor: 'constant-vus', vus: 2.5, duration: '1s' }, 'vus', 'vus: must be a whole number of VUs; got 2.5'],
    ['VUs as a string', { executor: 'constant-vus', vus: '5', duration: '1s' }, 'vus', 'vus: must be a whole number of VUs; got "5"'],
    ['0 VUs', { executor: 'constant-vus', vus: 0, duration: '1s' }, 'vus', 'vus: must be 1 or more VUs; got 0'],
    ['0 iterations', { executor: 'per-vu-iterations', iterations: 0 }, 'iterations', 'iterations: must be 1 or more iterations; got 0'],
    ['0 preAllocatedVUs', { ...arrival, preAllocatedVUs: 0 }, 'preAllocatedVUs', 'preAllocatedVUs: must be 1 or more VUs; got 0'],
    ['negative startRate', { executor: 'ramping-arrival-rate', startRate: -1, stages: [{ duration: '1s', target: 1 }], preAllocatedVUs: 1 }, 'startRate', 'startRate: must be 0 or more iterations per timeUnit; got -1'],
    ['maxVUs below preAllocatedVUs', { ...arrival, preAllocatedVUs: 5, maxVUs: 2 }, 'maxVUs', 'maxVUs: 2 is less than preAllocatedVUs (5); raise maxVUs or leave it out'],
    // stages
    ['malformed stage duration', { ...ramping, stages: [{ duration: '1s', target: 2 }, { duration: '5x', target: 0 }] }, 'stages[1].duration', `stages[1].duration: "5x" is not a duration; use ${DURATION_HINT}`],
    ['unknown key in a stage', { ...ramping, stages: [{ duration: '1s', target: 2, tagret: 3 }] }, 'stages[0].tagret', 'stages[0].tagret: unknown option; did you mean "target"?'],
    ['another option in a stage', { ...ramping, stages: [{ duration: '1s', target: 2, vus: 3 }] }, 'stages[0].vus', 'stages[0].vus: a stage takes only duration and target'],
    ['stage without a target', { ...ramping, stages: [{ duration: '1s' }] }, 'stages[0].target', 'stages[0].target: is required: give a whole number of VUs'],
    ['negative stage target', { ...ramping, stages: [{ duration: '1s', target: -1 }] }, 'stages[0].target', 'stages[0].target: must be 0 or more VUs; got -1'],
    ['stage that is not an object', { ...ramping, stages: [5] }, 'stages[0]', 'stages[0]: must be a stage { duration, target }; got 5'],
    ['stages that are not an array', { ...ramping, stages: { duration: '1s', target: 1 } }, 'stages', "stages: must be an array of stages like [{ duration: '30s', target: 10 }]; got an object"],
    ['no stages', { ...ramping, stages: [] }, 'stages', 'stages: needs at least one stage'],
    ['stages of 0 ms in all', { ...ramping, stages: [{ duration: 0, target: 5 }, { duration: '0s', target: 0 }] }, 'stages', "stages: last 0 ms in total, so the load would not run; give at least one stage a duration like '30s'"],
    ['ramping to nothing from nothing', { ...ramping, startVUs: 0, stages: [{ duration: '1s', target: 0 }] }, 'stages', 'stages: every target is 0 and so is startVUs, so no VU would ever run; give a stage a target above 0'],
    ['arrival rate that never starts', { executor: 'ramping-arrival-rate', stages: [{ duration: '1s', target: 0 }], preAllocatedVUs: 1 }, 'stages',
      'stages: every target is 0 and so is startRate, so no iteration would ever start; give a stage a target above 0'],
    // thresholds objects
    ['abortOnFail that is not a boolean', thresholdOf({ threshold: 'rate<0.1', abortOnFail: 'yes' }), 'thresholds.http_req_failed[0].abortOnFail', 'thresholds.http_req_failed[0].abortOnFail: must be true or false; got "yes"'],
    ['unknown key in a threshold object', thresholdOf({ threshold: 'rate<0.1', abortOnFial: true }), 'thresholds.http_req_failed[0].abortOnFial', 'thresholds.http_req_failed[0].abortOnFial: unknown option; did you mean "abortOnFail"?'],
    ['another option in a threshold object', thresholdOf({ threshold: 'rate<0.1', timeout: '1s' }), 'thresholds.http_req_failed[0].timeout', 'thresholds.http_req_failed[0].timeout: a threshold object takes only threshold, abortOnFail, delayAbortEval'],
    ['threshold object without threshold', thresholdOf({ abortOnFail: true }), 'thresholds.http_req_failed[0].threshold', "thresholds.http_req_failed[0].threshold: is required: give a threshold expression like 'rate<0.01'"],
    ['malformed delayAbortEval', thresholdOf({ threshold: 'rate<0.1', delayAbortEval: 'soon' }), 'thresholds.http_req_failed[0].delayAbortEval', `thresholds.http_req_failed[0].delayAbortEval: "soon" is not a duration; use ${DURATION_HINT}`],
    ['threshold of the wrong type', thresholdOf(5), 'thresholds.http_req_failed[0]', "thresholds.http_req_failed[0]: must be an expression like 'p(95)<500' or { threshold, abortOnFail, delayAbortEval }; got 5"],
    ['thresholds entry of the wrong type', { vus: 1, duration: '1s', thresholds: { http_req_failed: 0.01 } }, 'thresholds.http_req_failed',
      "thresholds.http_req_failed: must be an expression like 'p(95)<500', { threshold, abortOnFail, delayAbortEval } or an array of them; got 0.01"],
    ['thresholds that are not an object', { vus: 1, duration: '1s', thresholds: 'p(95)<500' }, 'thresholds', "thresholds: must be an object like { http_req_duration: ['p(95)<500'] }; got \"p(95)<500\""],
    ['threshold key with tags in the path', { vus: 1, duration: '1s', thresholds: { 'http_req_duration{name:GET /x}': [{ threshold: 'p(95)<5', abortOnFail: 1 }] } },
      'thresholds["http_req_duration{name:GET /x}"][0].abortOnFail', 'thresholds["http_req_duration{name:GET /x}"][0].abortOnFail: must be true or false; got 1'],
    // options in the wrong place
    ['unknown key with a suggestion', { executor: 'constant-vus', vu: 2, duration: '1s' }, 'vu', ['vu: unknown option; did you mean "vus"?', 'vus: is required by constant-vus: give a whole number of VUs']],
    ['unknown key far from any option', { executor: 'constant-vus', vus: 2, duration: '1s', banana: true }, 'banana', 'banana: unknown option; remove it'],
    ['weight on the block', { vus: 1, duration: '1s', weight: 2 }, 'weight', 'weight: only a scenarios entry takes weight: scenarios: { name: { weight: … } }'],
    ['fn in the options', { vus: 1, duration: '1s', fn }, 'fn', "fn: the block's function is the last argument of perf() or scenario(); a function per user type goes in scenarios: { name: { fn } }"],
    ['target on the block', { vus: 1, duration: '1s', target: 2 }, 'target', "target: only a stage takes target: stages: [{ duration: '30s', target: 10 }]"],
    ['abortOnFail on the block', { vus: 1, duration: '1s', abortOnFail: true }, 'abortOnFail',
      "abortOnFail: belongs in a threshold object: thresholds: { http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '10s' }] }"],
    ['baseUrl on the block', { vus: 1, duration: '1s', baseUrl: 'http://127.0.0.1:1' }, 'baseUrl', 'baseUrl: belongs in http: { baseUrl: … }'],
    ['executor option on a block whose load is in scenarios', { timeUnit: '1s', scenarios: { a: { executor: 'constant-vus', vus: 1, duration: '1s' } } }, 'timeUnit',
      'timeUnit: is an executor option (taken by constant-arrival-rate, ramping-arrival-rate), but this block has no executor of its own: its load is in scenarios; move timeUnit into the scenario it is for or give the block an executor'],
    // scenarios entries
    ['unknown key in a scenario', { executor: 'constant-vus', vus: 1, duration: '1s', scenarios: { a: { wieght: 2 } } }, 'scenarios.a.wieght', 'scenarios.a.wieght: unknown option; did you mean "weight"?'],
    ['option of another executor in a scenario', { scenarios: { a: { executor: 'constant-vus', vus: 1, duration: '1s', rate: 3 } } }, 'scenarios.a.rate',
      'scenarios.a.rate: is not an option of constant-vus; rate is taken by constant-arrival-rate, and constant-vus takes vus, duration, gracefulStop, startTime: change the executor or remove rate'],
    ['executor option in a user type', { vus: 1, duration: '1s', scenarios: { a: { maxVUs: 3 } } }, 'scenarios.a.maxVUs',
      "scenarios.a.maxVUs: is an executor option (taken by constant-arrival-rate, ramping-arrival-rate), but this scenario has no executor of its own: it shares the block's VUs; give it an executor or remove maxVUs"],
    ['block option in a scenario', { vus: 1, duration: '1s', scenarios: { a: { thresholds: {} } } }, 'scenarios.a.thresholds', 'scenarios.a.thresholds: a scenarios entry cannot set thresholds; set it on the block, where it applies to every scenario'],
    ['unknown executor in a scenario', { scenarios: { a: { executor: 'xyz', fn } } }, 'scenarios.a.executor', `scenarios.a.executor: "xyz" is not an executor; use one of ${EXECUTOR_LIST}`],
    ['weight 0', { vus: 1, duration: '1s', scenarios: { a: { weight: 0 } } }, 'scenarios.a.weight', 'scenarios.a.weight: must be a positive number of shares; got 0'],
    ['scenario that is not an object', { vus: 1, duration: '1s', scenarios: { a: 5 } }, 'scenarios.a', 'scenarios.a: must be an options object like { weight: 1, fn }; got 5'],
    ['scenarios that are not an object', { vus: 1, duration: '1s', scenarios: 5 }, 'scenarios', 'scenarios: must be an object like { normal: { weight: 10 }, heavy: { weight: 1 } }; got 5'],
    ['scenario name that is not a plain name', { vus: 1, duration: '1s', scenarios: { 'big user': { wieght: 1 } } }, 'scenarios["big user"].wieght', 'scenarios["big user"].wieght: unknown option; did you mean "weight"?'],
    // profiles (checked whichever profile runs)
    ['unknown key in a profile', { executor: 'constant-vus', vus: 1, duration: '1s', profiles: { ci: { vsu: 1 } } }, 'profiles.ci.vsu', 'profiles.ci.vsu: unknown option; did you mean "vus"?'],
    ['0 VUs in a profile', { vus: 1, duration: '1s', profiles: { ci: { vus: 0 } } }, 'profiles.ci.vus', 'profiles.ci.vus: must be 1 or more VUs; got 0'],
    ['block option in a profile', { vus: 1, duration: '1s', profiles: { ci: { setup: fn } } }, 'profiles.ci.setup',
      'profiles.ci.setup: a profile cannot set setup; a profile changes sizing (vus, duration, stages, rate, iterations, …), executor, thresholds, pacing, http, timeout, workers and scenarios entries'],
    ['unknown executor in a profile', { vus: 1, duration: '1s', profiles: { ci: { executor: 'nope' } } }, 'profiles.ci.executor', `profiles.ci.executor: "nope" is not an executor; use one of ${EXECUTOR_LIST}`],
    ['unknown key in a profile\'s scenario', { vus: 1, duration: '1s', scenarios: { a: {} }, profiles: { ci: { scenarios: { a: { wieght: 2 } } } } }, 'profiles.ci.scenarios.a.wieght', 'profiles.ci.scenarios.a.wieght: unknown option; did you mean "weight"?'],
    ['fn in a profile\'s scenario', { vus: 1, duration: '1s', scenarios: { a: {} }, profiles: { ci: { scenarios: { a: { fn } } } } }, 'profiles.ci.scenarios.a.fn', "profiles.ci.scenarios.a.fn: a profile cannot change a scenario's fn; give the scenario its fn in scenarios"],
    ['profile that is not an object', { vus: 1, duration: '1s', profiles: { ci: 5 } }, 'profiles.ci', "profiles.ci: must be an options object like { vus: 5, duration: '10s' }; got 5"],
    ['profiles that are not an object', { vus: 1, duration: '1s', profiles: 5 }, 'profiles', 'profiles: must map profile names to option sets, e.g. { ci: { vus: 5 }, full: { vus: 500 } }'],
    // block fields
    ['workers of the wrong type', { vus: 1, duration: '1s', workers: 'all' }, 'workers', "workers: must be a number of workers or 'auto'; got \"all\""],
    ['fractional workers', { vus: 1, duration: '1s', workers: 1.5 }, 'workers', 'workers: must be a whole number of workers; got 1.5'],
    ['negative workers', { vus: 1, duration: '1s', workers: -1 }, 'workers', 'workers: must be 0 or more workers; got -1'],
    ['test timeout 0', { vus: 1, duration: '1s', timeout: 0 }, 'timeout', 'timeout: must be longer than 0 (got 0); 0 would turn the test timeout off; leave timeout out for the planned length + gracefulStop + 30s'],
    ['http.timeout 0', { vus: 1, duration: '1s', http: { timeout: '0s' } }, 'http.timeout', 'http.timeout: must be longer than 0 (got "0s"); every request would time out at once'],
    ['unknown key in http', { vus: 1, duration: '1s', http: { timout: 5 } }, 'http.timout', 'http.timout: unknown option; did you mean "timeout"?'],
    ['discardResponseBodies that is not a boolean', { vus: 1, duration: '1s', http: { discardResponseBodies: 'yes' } }, 'http.discardResponseBodies', 'http.discardResponseBodies: must be true or false; got "yes"'],
    ['http that is not an object', { vus: 1, duration: '1s', http: 5 }, 'http', "http: must be an object like { timeout: '10s', baseUrl: 'http://127.0.0.1:8080' }; got 5"],
    ['bad http.baseUrl', { vus: 1, duration: '1s', http: { baseUrl: 'not a url' } }, 'http.baseUrl', 'http.baseUrl: must be an absolute http:// or https:// URL like http://127.0.0.1:8080; got "not a url"'],
    ['http.baseUrl of another protocol', { vus: 1, duration: '1s', http: { baseUrl: 'ftp://127.0.0.1/' } }, 'http.baseUrl', 'http.baseUrl: must be an absolute http:// or https:// URL like http://127.0.0.1:8080; got "ftp://127.0.0.1/"'],
    ['tag value that is not a string', { vus: 1, duration: '1s', tags: { team: 1 } }, 'tags.team', 'tags.team: must be a string (tag values are strings); got 1'],
    ['setup that is not a function', { vus: 1, duration: '1s', setup: 'setup' }, 'setup', 'setup: must be a function; got "setup"'],
    ['signal that is not an AbortSignal', { vus: 1, duration: '1s', signal: {} }, 'signal', 'signal: must be an AbortSignal; got an object'],
    ['options not an object', 42, 'options', 'options: must be an object; got number'],
    ['options an array', [{ vus: 1 }], 'options', 'options: must be an object; got an array'],
  ])('%s', (_what, options, option, line) => {
    const err = errorOf(options)
    expect(err.option).toBe(option)
    expect(err.message).toMatch(/^Invalid options for perf "block":\n {2}- /)
    expect(linesOf(err)).toEqual(typeof line === 'string' ? [line] : line)
    expect(err.code).toBe('LOADSPEC_ERR_INVALID_OPTION')
  })

  test('several problems are listed in the one error, misspelt keys first', () => {
    const err = errorOf({ executor: 'constant-vus', vus: -1, duration: 'x', extra: 1 })
    expect(err.option).toBe('extra')
    expect(linesOf(err)).toEqual(['extra: unknown option; remove it', 'vus: must be 1 or more VUs; got -1', `duration: "x" is not a duration; use ${DURATION_HINT}`])
  })

  test('an executor option of the wrong executor comes before the field it leaves missing', () => {
    const err = errorOf({ duration: '1s', iterations: 5 })
    expect(linesOf(err)).toEqual([
      'iterations: is not an option of constant-vus (inferred from duration); iterations is taken by per-vu-iterations, shared-iterations, and constant-vus takes vus, duration, gracefulStop, startTime: change the executor or remove iterations',
      'vus: is required by constant-vus (inferred from duration): give a whole number of VUs',
    ])
  })

  test('no function anywhere is named', () => {
    expect(errorOf({ vus: 1, duration: '1s' }, false).message).toMatch(/fn: perf "block" has no function to run/)
  })

  test('bad options throw before any load starts', async () => {
    let iterations = 0
    await expect(run({ executor: 'constant-arrival-rate', rate: 5, timeUnit: 0, duration: '1s', preAllocatedVUs: 1, fn: () => { iterations++ } }))
      .rejects.toThrow(/timeUnit: must be longer than 0/)
    expect(iterations).toBe(0)
  })
})

describe('the chosen profile must exist in a block that has profiles', () => {
  afterEach(() => { delete process.env['LOADSPEC_PROFILE'] })
  const sized = { vus: 1, duration: '1s', profiles: { ci: { vus: 2 }, smoke: { vus: 1 } } }

  test('LOADSPEC_PROFILE (set by the variable or the plugin option) naming no profile of the block is an error listing its profiles', () => {
    process.env['LOADSPEC_PROFILE'] = 'full'
    const err = errorOf(sized, true, { scale: 1 })
    expect(err.option).toBe('LOADSPEC_PROFILE')
    expect(linesOf(err)).toEqual(["LOADSPEC_PROFILE: \"full\" is not a profile of this block (the variable or the plugin's profile option chose it); its profiles are ci, smoke. " +
      'Choose one of them, or add full: {} to its profiles to run its own options under that name'])
  })

  test("run()'s profile option is named as such", () => {
    const err = errorOf(sized, true, { profile: 'ful', scale: 1 })
    expect(err.option).toBe('profile')
    expect(linesOf(err)[0]).toMatch(/^profile: "ful" is not a profile of this block \(the profile option chose it\); its profiles are ci, smoke\./)
  })

  test('a block without profiles, or with none defined, runs its own options under any profile', () => {
    process.env['LOADSPEC_PROFILE'] = 'full'
    for (const options of [{ vus: 3, duration: '1s' }, { vus: 3, duration: '1s', profiles: {} }]) {
      const plan = normalizeOptions('b', options, fn)
      expect(plan.profile).toBeNull()
      expect(plan.units[0]?.executor).toMatchObject({ kind: 'constant-vus', vus: 3 })
    }
  })

  test('an empty profile runs the block as written, under its name', () => {
    const plan = normalizeOptions('b', { vus: 3, duration: '1s', profiles: { ci: { vus: 1 }, full: {} } }, fn, { profile: 'full' })
    expect(plan.profile).toBe('full')
    expect(plan.units[0]?.executor).toMatchObject({ kind: 'constant-vus', vus: 3 })
  })

  test('a problem with an option the profile set names it inside the profile', () => {
    const err = errorOf({ executor: 'constant-vus', vus: 1, duration: '1s', scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s' } },
      profiles: { ci: { rate: 5, scenarios: { s: { rate: 3 } } } } }, true, { profile: 'ci', scale: 1 })
    expect(err.message).toMatch(/^Invalid options for perf "block" \(with profile "ci"\):/)
    expect(err.option).toBe('profiles.ci.rate')
    expect(linesOf(err).map((l) => l.split(':')[0])).toEqual(['profiles.ci.rate', 'profiles.ci.scenarios.s.rate'])
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
