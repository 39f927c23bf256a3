import { describe, expect, test } from 'vitest'
import { owns, ownedCount, splitSegment, parseSegment, parseExecutionSegment, coverageProblem, stripeSequence, WHOLE, type Segment } from '../../src/core/segment.ts'
import { fraction } from '../../src/core/fraction.ts'
import { makeRamp, iterationsBy, arrivalTime, vuTargetAt, nextVuChange } from '../../src/core/executors/ramp.ts'
import { weightedAssignment, pickWeighted } from '../../src/core/weights.ts'
import { parseDurationOrNull, formatDuration } from '../../src/core/duration.ts'

describe('execution segments', () => {
  test('7 VUs over 3 workers are 3 + 2 + 2 and every VU has exactly one owner', () => {
    const parts = splitSegment(WHOLE, 3)
    expect(parts.map((s) => ownedCount(s, 7))).toEqual([3, 2, 2])
    for (let v = 0; v < 7; v++) expect(parts.filter((s) => owns(s, v)).length).toBe(1)
  })

  test('rate 100/s for 10 s over 3 workers starts exactly 1000 iterations in total', () => {
    const parts = splitSegment(WHOLE, 3)
    expect(parts.reduce((a, s) => a + ownedCount(s, 1000), 0)).toBe(1000)
    // and within any second no worker is more than one iteration off its share
    for (const s of parts) {
      for (let sec = 0; sec < 10; sec++) {
        const n = ownedCount(s, (sec + 1) * 100) - ownedCount(s, sec * 100)
        expect(Math.abs(n - 100 / 3)).toBeLessThanOrEqual(1)
      }
    }
  })

  test('a CI shard split again over workers still adds up (segment 2/4 over 3 workers)', () => {
    const shards = [1, 2, 3, 4].map((i) => parseSegment(`${i}/4`))
    const all = shards.flatMap((s) => splitSegment(s, 3))
    for (const n of [1, 7, 100, 1001, 12345]) expect(all.reduce((a, s) => a + ownedCount(s, n), 0)).toBe(n)
    for (let i = 0; i < 500; i++) expect(all.filter((s) => owns(s, i)).length).toBe(1)
    for (const s of all) for (const n of [0, 5, 13, 99]) {
      let brute = 0
      for (let i = 0; i < n; i++) if (owns(s, i)) brute++
      expect(ownedCount(s, n)).toBe(brute)
    }
  })

  test('bad segment strings are refused with the form to use', () => {
    expect(() => parseSegment('5/4')).toThrow(/INDEX\/COUNT/)
    expect(() => parseSegment('a')).toThrow(/e.g. 2\/4/)
  })
})

// k6's striping, from its own tables in lib/execution_segment_test.go (TestGetStripedOffsets,
// TestExecutionTupleScale, TestBigScale, TestExecutionSegmentScaleNoWobble). k6 states a segment
// as (start, offsets, lcd); ours as (cycle, slots): start = slots[0], offsets the gaps between
// successive slots, the last one wrapping into the next cycle.
function k6Offsets(s: Segment): { start: number; offsets: number[]; lcd: number } {
  const offsets = s.slots.map((slot, i) => (i + 1 < s.slots.length ? (s.slots[i + 1] as number) : (s.slots[0] as number) + s.cycle) - slot)
  return { start: s.slots[0] as number, offsets, lcd: s.cycle }
}

describe('k6 execution segments and sequences', () => {
  test.each([
    // full sequences
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0:0.3', 0, [4, 3, 3], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.3:0.5', 1, [4, 6], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.5:0.6', 2, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.6:0.7', 3, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.8:0.9', 8, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.9:1', 9, [10], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0.9:1', 9, [10], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0:0.2', 1, [4, 6], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0.6:0.7', 3, [10], 10],
    // not full sequences
    ['0,0.2,0.5', '0:0.2', 3, [6, 4], 10],
    ['0,0.2,0.5', '0.2:0.5', 1, [4, 2, 4], 10],
    ['0,2/5,4/5', '0:2/5', 0, [3, 2], 5],
    ['0,2/5,4/5', '2/5:4/5', 1, [3, 2], 5],
    // no sequence
    ['', '0:0.2', 1, [5], 5],
    ['', '0:1/5', 1, [5], 5],
    ['', '0:2/10', 1, [5], 5],
    ['', '0:0.4', 1, [2, 3], 5],
    ['', '0:2/5', 1, [2, 3], 5],
    ['', '2/5:4/5', 1, [3, 2], 5],
    ['', '0:4/10', 1, [2, 3], 5],
    ['', '1/10:5/10', 1, [2, 2, 4, 2], 10],
  ] as const)('sequence %j, segment %s: start %i, offsets %j, lcd %i (k6 TestGetStripedOffsets)', (seq, seg, start, offsets, lcd) => {
    expect(k6Offsets(parseExecutionSegment(seg, seq || undefined))).toEqual({ start, offsets, lcd })
  })

  test('scaling a whole (k6 TestExecutionTupleScale, TestBigScale)', () => {
    for (const seq of [undefined, '0,0.5,1']) {
      expect([2, 3].map((n) => ownedCount(parseExecutionSegment('0.5', seq), n))).toEqual([1, 2])
      expect([2, 3].map((n) => ownedCount(parseExecutionSegment('0.5:1.0', seq), n))).toEqual([1, 1])
    }
    expect(ownedCount(parseExecutionSegment('0:7/20', '0,7/20,7/10,1'), 50)).toBe(18)
    expect(ownedCount(parseExecutionSegment('25%:50%'), 8)).toBe(2)
  })

  test("k6's unequal sequence 0,1/4,1/2,1: shares sum to the whole and never shrink as it grows (TestExecutionSegmentScaleNoWobble)", () => {
    const shards = [['0', '1/4'], ['1/4', '1/2'], ['1/2', '1']].map(([a, b]) => parseExecutionSegment(`${a}:${b}`, '0,1/4,1/2,1'))
    // k6's own example of this split: the half takes 0, 2, 4, …; the quarters 1, 5, 9, … and 3, 7, 11, …
    expect(shards.map((s) => s.slots)).toEqual([[1], [3], [0, 2]])
    expect(coverageProblem(shards)).toBeNull()
    const last = shards.map(() => 0)
    for (let n = 0; n <= 1000; n++) {
      const counts = shards.map((s) => ownedCount(s, n))
      expect(counts.reduce((a, b) => a + b, 0)).toBe(n)
      counts.forEach((c, i) => { expect(c).toBeGreaterThanOrEqual(last[i] as number); last[i] = c })
    }
    // rate 10 over 4 equal segments, 7 VUs over 3: exact
    expect([1, 2, 3, 4].map((i) => ownedCount(parseSegment(`${i}/4`), 10))).toEqual([3, 3, 2, 2])
    expect([1, 2, 3].map((i) => ownedCount(parseSegment(`${i}/3`), 7))).toEqual([3, 2, 2])
  })

  test('random sequences: every index has exactly one owner and counts match a brute count', () => {
    let seed = 7
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
    for (let t = 0; t < 30; t++) {
      const den = 2 + rand(30)
      const cuts = [...new Set(Array.from({ length: 1 + rand(6) }, () => 1 + rand(den - 1)))].sort((a, b) => a - b)
      const points = [0, ...cuts, den]
      const segs = stripeSequence(points.map((c) => fraction(c, den)))
      expect(coverageProblem(segs)).toBeNull()
      for (const [k, s] of segs.entries()) {
        // each segment owns exactly its length's share of a cycle
        expect(s.slots.length * den).toBe(((points[k + 1] as number) - (points[k] as number)) * s.cycle)
        for (const n of [0, 1, den - 1, 3 * den + 1, 997]) {
          let brute = 0
          for (let i = 0; i < n; i++) if (owns(s, i)) brute++
          expect(ownedCount(s, n)).toBe(brute)
        }
      }
    }
  })

  test('coverage names what is missing or doubled', () => {
    expect(coverageProblem([parseSegment('1/4'), parseSegment('2/4'), parseSegment('4/4')])).toBe('1 of every 4 indices belong to no segment')
    expect(coverageProblem([parseSegment('1/2'), parseSegment('2/2'), parseSegment('2/2')])).toBe('1 of every 2 indices belong to more than one segment')
  })

  test.each([
    ['1/4:1/4', undefined, /0 ≤ FROM < TO ≤ 1/],
    ['0:1.5', undefined, /0 ≤ FROM < TO ≤ 1/],
    ['a:1/2', undefined, /"a" is not a fraction, decimal or whole percentage/],
    ['1/4:1/2', '0,1/2,1', /not one of the segments of the sequence 0,1\/2,1/],
    ['0:1/2', '0,1/2,1/4,1', /must rise from point to point/],
    ['0:1/2', '0', /needs at least 2 points/],
  ])('%s in %s is refused', (seg, seq, message) => {
    expect(() => parseExecutionSegment(seg, seq)).toThrow(message)
  })
})

describe('ramps', () => {
  test('a 0→10 VU ramp over 10 s adds one VU a second and the changes are found exactly', () => {
    const r = makeRamp(0, [{ durationMs: 10_000, target: 10 }, { durationMs: 5_000, target: 10 }, { durationMs: 5_000, target: 0 }])
    expect([0, 999, 1000, 5500, 10_000, 14_000, 15_000, 15_001, 17_500, 20_000].map((t) => vuTargetAt(r, t))).toEqual([0, 0, 1, 5, 10, 10, 10, 10, 5, 0])
    expect(nextVuChange(r, 0)).toBe(1000)
    expect(nextVuChange(r, 1000)).toBe(2000)
    expect(nextVuChange(r, 15_000)).toBeCloseTo(15_500, 6)
  })

  test('arrival-rate schedule: the integral of the rate gives iteration times', () => {
    const constant = makeRamp(100, [{ durationMs: 10_000, target: 100 }])
    expect(iterationsBy(constant, 10_000)).toBeCloseTo(1000, 9)
    expect(arrivalTime(constant, 250)).toBeCloseTo(2500, 6)
    const up = makeRamp(0, [{ durationMs: 10_000, target: 100 }])
    expect(iterationsBy(up, 10_000)).toBeCloseTo(500, 9)
    // N(t) = 5 t² (t in s) → the 125th iteration is due at t = 5 s
    expect(arrivalTime(up, 125)).toBeCloseTo(5000, 6)
    for (const i of [1, 10, 77, 499]) expect(iterationsBy(up, arrivalTime(up, i))).toBeCloseTo(i, 6)
  })
})

describe('weights', () => {
  test('user types get their weighted share at every prefix (10 : 1 : 0.5)', () => {
    const a = weightedAssignment([10, 1, 0.5], 115)
    const count = (k: number) => a.filter((x) => x === k).length
    expect([count(0), count(1), count(2)]).toEqual([100, 10, 5])
    expect(weightedAssignment([10, 1, 0.5], 23).filter((x) => x === 1).length).toBe(2)
  })

  test('pick() follows its weights and refuses bad ones', () => {
    let i = 0
    const seq = [0.1, 0.5, 0.65, 0.99]
    const rnd = () => seq[i++ % seq.length] as number
    expect([1, 2, 3, 4].map(() => pickWeighted({ send: 3, get: 2 }, rnd))).toEqual(['send', 'send', 'get', 'get'])
    expect(() => pickWeighted({ a: -1 })).toThrow(/weight of "a" must be a number ≥ 0/)
    expect(() => pickWeighted({ a: 0 })).toThrow(/positive weight/)
  })
})

describe('durations', () => {
  test.each([[500, 500], ['500ms', 500], ['30s', 30_000], ['2m', 120_000], ['1m30s', 90_000], ['1.5s', 1500], ['1h', 3_600_000], ['250', 250]])('%s → %d ms', (input, ms) => {
    expect(parseDurationOrNull(input)).toBe(ms)
  })
  test.each(['5x', '', 's', '10 s', '-1s', -5, Number.NaN])('%s is not a duration', (input) => {
    expect(parseDurationOrNull(input)).toBeNull()
  })
  test('formats for people', () => {
    expect([850, 12_500, 200_000].map(formatDuration)).toEqual(['850ms', '12.5s', '3m20s'])
  })
})
