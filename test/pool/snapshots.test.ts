/**
 * What a pool worker streams to the test's thread: each second, the running totals and only the
 * timeline windows closed since its last snapshot. Measured on a real run of the worker's own code
 * path (runSegment with the worker's snapshot function), in the bytes structured clone sends.
 */
import { serialize } from 'node:v8'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { normalizeOptions } from '../../src/core/normalize.ts'
import { runSegment } from '../../src/core/run-segment.ts'
import { WHOLE } from '../../src/core/segment.ts'
import { snapshotMessage } from '../../src/pool/worker-task.ts'
import type { SnapshotMessage } from '../../src/pool/messages.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'

let server: TestServer
beforeAll(async () => { server = await startServer((_req, res) => res.end('ok')) })
afterAll(async () => { await server.close() })

/** Least-squares slope of ys over their index. */
function slope(ys: number[]): number {
  const n = ys.length
  const mx = (n - 1) / 2
  const my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  ys.forEach((y, x) => { num += (x - mx) * (y - my); den += (x - mx) ** 2 })
  return num / den
}

test('a worker\'s snapshots carry only the seconds closed since the last one: their size does not grow with the second\'s index', async () => {
  const url = `${server.url}/`
  const plan = normalizeOptions('snapshots', { vus: 4, duration: '8s' }, async ({ http, sleep }) => {
    await http.get(url)
    await sleep(0.002)
  }, { kind: 'scenario' })
  const messages: SnapshotMessage[] = []
  const bytes: number[] = []
  const seg = await runSegment({ plan, segment: WHOLE, data: undefined, onSecond: (registry, elapsedMs, health) => {
    const m = snapshotMessage(registry, elapsedMs, health)
    messages.push(m)
    bytes.push(serialize(m).length)
  } })
  // A busy machine may delay a tick, but a run of 8 s sends at least 5 snapshots.
  expect(messages.length).toBeGreaterThanOrEqual(5)
  // Every closed second travels exactly once: in the snapshot after it closed, or in the final result.
  const sent = messages.flatMap((m) => m.seconds.map((s) => s.t))
  const rest = seg.metrics.timeline.map((s) => s.t)
  expect([...sent, ...rest]).toEqual([...sent, ...rest].map((_, i) => i))
  for (const m of messages) expect(m.seconds.length).toBe(1)
  expect(messages.reduce((a, m) => a + (m.seconds[0]?.counters['http_reqs'] ?? 0), 0) + rest.reduce((a, t) => a + (seg.metrics.timeline.find((s) => s.t === t)?.counters['http_reqs'] ?? 0), 0))
    .toBe(seg.metrics.series.filter((s) => s.name === 'http_reqs').reduce((a, s) => a + s.count, 0))
  // The timeline's part of each snapshot is one entry, whatever the second's index; the whole
  // timeline each time would add a whole entry per snapshot. (An entry's own size varies with how
  // spread that second's latencies are, more so on a busy machine: hence a quarter, not zero.)
  const timelineBytes = messages.map((m) => serialize(m.seconds).length)
  const entry = Math.min(...timelineBytes)
  expect(entry).toBeGreaterThan(200)
  expect(Math.abs(slope(timelineBytes.slice(1)))).toBeLessThan(entry * 0.25)
  // The rest of a snapshot is the running totals: the whole-run histograms fill buckets as latencies
  // spread, but never past the run's own final totals, however many seconds have passed.
  const finalTotals = serialize({ series: seg.metrics.series, errors: seg.metrics.errors }).length
  for (const m of messages) expect(serialize({ series: m.series, errors: m.errors }).length).toBeLessThanOrEqual(finalTotals * 1.02)
}, 30_000)
