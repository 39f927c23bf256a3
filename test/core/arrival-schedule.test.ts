/**
 * ramping-arrival-rate's schedule is k6's: iteration i (counting from 1) starts when the area under
 * the rate curve reaches i. The table is k6's own, TestRampingArrivalRateCal in
 * grafana/k6 lib/executor/ramping_arrival_rate_test.go, with its tolerance (assert.InEpsilon 0.001).
 */
import { describe, expect, test } from 'vitest'
import { arrivalTime, iterationsBy, makeRamp, scheduledIterations, type Ramp } from '../../src/core/executors/ramp.ts'
import { ownedCount, owns, parseExecutionSegment, parseSegment, splitSegment, WHOLE, type Segment } from '../../src/core/segment.ts'
import { run, type RunOptions } from '../../src/index.ts'
import type { StagePlan } from '../../src/core/plan.ts'

/** k6's test config: 0 → 1 over 5 s, 1 for 1 s, 1 → 0 over 5 s, rates per `timeUnit`. */
function k6Config(timeUnitMs: number): Ramp {
  const perSec = 1000 / timeUnitMs
  const stages: StagePlan[] = [{ durationMs: 5000, target: 1 * perSec }, { durationMs: 1000, target: 1 * perSec }, { durationMs: 5000, target: 0 }]
  return makeRamp(0, stages)
}

/** What the executor does: global iteration k (0-based) is due at arrivalTime(k + 1), if the segment owns k. */
function schedule(r: Ramp, segment: Segment = WHOLE): number[] {
  const out: number[] = []
  for (let k = 0; k < scheduledIterations(r); k++) if (owns(segment, k)) out.push(arrivalTime(r, k + 1))
  return out
}

function expectTimes(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length)
  actual.forEach((t, i) => {
    const want = expected[i] as number
    expect(Math.abs(t - want) / want, `iteration ${i + 1}: ${t} ms, k6 ${want} ms`).toBeLessThanOrEqual(0.001)
  })
}

const thirds = splitSegment(WHOLE, 3)

describe('ramping-arrival-rate schedule (k6 TestRampingArrivalRateCal)', () => {
  // k6's rows: the whole run, segments of the sequence 0,1/3,2/3,1 (iterations 1, 4 / 2, 5 / 3, 6),
  // and lone segments filled out as k6 does (0:1/3 alone is striped against 1/3:1, which takes the
  // first index, so it gets iterations 2 and 5), through our parser of k6's segment syntax.
  test.each([
    { name: 'lone segment 0:1/3', timeUnitMs: 1000, segment: parseExecutionSegment('0:1/3'), expected: [4472, 7837] },
    { name: 'segment 0:1/3 of 0,1/3,1', timeUnitMs: 1000, segment: parseExecutionSegment('0:1/3', '0,1/3,1'), expected: [4472, 7837] },
    { name: 'lone segment 1/3:2/3', timeUnitMs: 1000, segment: parseExecutionSegment('1/3:2/3'), expected: [4472, 7837] },
    { name: 'lone segment 2/3:1', timeUnitMs: 1000, segment: parseExecutionSegment('2/3:1'), expected: [4472, 7837] },
    { name: 'k6 form 0:1/3 of 0,1/3,2/3,1', timeUnitMs: 1000, segment: parseExecutionSegment('0:1/3', '0,1/3,2/3,1'), expected: [3162, 6527] },
    { name: 'k6 form 2/3:1 of 0,1/3,2/3,1', timeUnitMs: 1000, segment: parseExecutionSegment('2/3:1', '0,1/3,2/3,1'), expected: [5500, 11_000] },
    { name: 'whole run', timeUnitMs: 1000, segment: WHOLE, expected: [3162, 4472, 5500, 6527, 7837, 11_000] },
    { name: 'segment 0:1/3 of 0,1/3,2/3,1', timeUnitMs: 1000, segment: thirds[0] as Segment, expected: [3162, 6527] },
    { name: 'segment 1/3:2/3 of 0,1/3,2/3,1', timeUnitMs: 1000, segment: thirds[1] as Segment, expected: [4472, 7837] },
    { name: 'segment 2/3:1 of 0,1/3,2/3,1', timeUnitMs: 1000, segment: thirds[2] as Segment, expected: [5500, 11_000] },
    {
      name: 'timeUnit 1/3 s (three times as fast)', timeUnitMs: 1000 / 3, segment: WHOLE,
      expected: [1825, 2581, 3162, 3651, 4082, 4472, 4830, 5166, 5499, 5833, 6169, 6527, 6917, 7348, 7837, 8418, 9174, 10_999],
    },
  ])('$name', ({ timeUnitMs, segment, expected }) => {
    expectTimes(schedule(k6Config(timeUnitMs), segment), expected)
  })

  test('0→10/s over 2 s starts its first iteration at ≈632 ms, not at 0, and ten in all, the last at the end', () => {
    const r = makeRamp(0, [{ durationMs: 2000, target: 10 }])
    const times = schedule(r)
    expect(times.length).toBe(10)
    expect(times[0]).toBeCloseTo(Math.sqrt(1 / 2.5) * 1000, 6)
    expect(times[9]).toBeCloseTo(2000, 6)
  })

  test('a constant 10/s stage starts at 100 ms, then every 100 ms', () => {
    const times = schedule(makeRamp(10, [{ durationMs: 1000, target: 10 }]))
    expectTimes(times, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
  })

  test('only iterations the area reaches are started: 0→5/s over 1 s (area 2.5) starts 2', () => {
    const r = makeRamp(0, [{ durationMs: 1000, target: 5 }])
    expect(scheduledIterations(r)).toBe(2)
    expect(arrivalTime(r, 3)).toBe(Infinity)
  })

  // k6's TestCompareCalImplementation checks cal() against exact rational arithmetic on this
  // config; we check each time against the area it must have reached, N(t_i) = i.
  test('every arrival time is where the area reaches i, across steep, flat and nearly flat stages', () => {
    const targets = [200, 200, 2000, 2000, 300, 300, 1333, 1334, 1334]
    const r = makeRamp(0, targets.map((target) => ({ durationMs: 1000, target })))
    const n = scheduledIterations(r)
    expect(n).toBe(Math.floor(iterationsBy(r, r.totalMs)))
    let last = 0
    for (let i = 1; i <= n; i++) {
      const t = arrivalTime(r, i)
      expect(t).toBeGreaterThanOrEqual(last)
      // the time solves N(t) = i to a millionth of an iteration (k6 allows 1 ns against the exact form)
      expect(Math.abs(iterationsBy(r, t) - i), `iteration ${i} at ${t} ms`).toBeLessThan(1e-6)
      last = t
    }
  })
})

describe('sharded arrival-rate schedules', () => {
  test('the union of four shards\' start times is exactly the single-process schedule, for equal and k6 unequal splits', () => {
    const r = k6Config(1000 / 7)
    const whole = schedule(r)
    const splits: Segment[][] = [
      [1, 2, 3, 4].map((i) => parseSegment(`${i}/4`)),
      [['0', '1/4'], ['1/4', '1/2'], ['1/2', '1']].map(([a, b]) => parseExecutionSegment(`${a}:${b}`, '0,1/4,1/2,1')),
    ]
    for (const shards of splits) {
      const union = shards.flatMap((s) => schedule(r, s)).sort((a, b) => a - b)
      expect(union).toEqual(whole)
    }
  })

  test('run() with segment 1/4…4/4 starts exactly the whole run\'s iterations, each shard its striped share', async () => {
    const options: RunOptions = { executor: 'ramping-arrival-rate', startRate: 0, stages: [{ duration: '1s', target: 40 }], preAllocatedVUs: 4, fn: () => {} }
    const whole = await run(options)
    const shards = await Promise.all([1, 2, 3, 4].map((i) => run({ ...options, segment: `${i}/4` })))
    expect(whole.iterations.completed).toBe(20)
    expect(shards.map((s) => s.iterations.completed)).toEqual([1, 2, 3, 4].map((i) => ownedCount(parseSegment(`${i}/4`), 20)))
    expect(shards.reduce((a, s) => a + s.iterations.completed, 0)).toBe(20)
  })
})

describe('segments from the environment, and a shared start time', () => {
  test('LOADSPEC_SEGMENT shards a run without code, and the result records its share', async () => {
    process.env['LOADSPEC_SEGMENT'] = '3/4'
    try {
      const r = await run({ executor: 'shared-iterations', vus: 4, iterations: 10, fn: () => {} })
      expect(r.iterations.completed).toBe(ownedCount(parseSegment('3/4'), 10))
      expect(r.toJSON().segment).toMatchObject({ label: '3/4', cycle: 4, slots: [2] })
    } finally {
      delete process.env['LOADSPEC_SEGMENT']
    }
    process.env['LOADSPEC_EXECUTION_SEGMENT_SEQUENCE'] = '0,1/2,1'
    try {
      await expect(run({ iterations: 1, fn: () => {} })).rejects.toThrow(/executionSegmentSequence "0,1\/2,1" needs executionSegment/)
    } finally {
      delete process.env['LOADSPEC_EXECUTION_SEGMENT_SEQUENCE']
    }
  })

  test('startAt holds the load (after setup) until the shared time', async () => {
    let setupAt = 0
    const startAt = Date.now() + 400
    const r = await run({ iterations: 1, startAt, setup: () => { setupAt = Date.now(); return {} }, fn: () => {} })
    expect(setupAt).toBeLessThanOrEqual(r.startTime)
    expect(r.startTime).toBeGreaterThanOrEqual(startAt - 1)
  })
})
