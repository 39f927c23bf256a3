import { expect, test } from 'vitest'
import { LiveMerge } from '../../src/pool/live-merge.ts'
import { MetricsRegistry } from '../../src/metrics/registry.ts'
import { snapshotMessage } from '../../src/pool/worker-task.ts'
import type { GeneratorHealth } from '../../src/core/health.ts'

const health: GeneratorHealth = { worker: 0, loopDelayP99Ms: 0, loopDelayMaxMs: 0, eventLoopUtilization: 0, cpu: 0, wallMs: 0, heapUsedMb: 0, heapLimitMb: 0 }

function secondOf(reg: MetricsRegistry, requests: number): void {
  for (let i = 0; i < requests; i++) { reg.counter('http_reqs').add(1); reg.trend('http_req_duration').add(1 + i) }
  reg.closeSecond()
}

test('a worker\'s result waits for the snapshots it counted, which may arrive after it', async () => {
  const merge = new LiveMerge(1)
  const reg = new MetricsRegistry()
  secondOf(reg, 3)
  const late = snapshotMessage(reg, 1000, health)
  let waited = false
  const done = merge.waitFor(0, 1, 5_000).then(() => { waited = true })
  await Promise.resolve()
  expect(waited).toBe(false)
  merge.receive(0, late)
  await done
  expect(merge.live()?.timeline.map((s) => s.counters['http_reqs'])).toEqual([3])
  await expect(merge.waitFor(0, 2, 20)).rejects.toThrow(/1 of its 2 snapshots never arrived/)
})

test('a failed worker keeps its latest totals and every window it streamed; a finished one adds the windows no snapshot carried', () => {
  const merge = new LiveMerge(2)
  const [a, b] = [new MetricsRegistry(), new MetricsRegistry()]
  secondOf(a, 2)
  secondOf(b, 5)
  merge.receive(0, snapshotMessage(a, 1000, health))
  merge.receive(1, snapshotMessage(b, 1000, health))
  const live = merge.live()
  secondOf(a, 1)
  // Worker 1 fails now; worker 0 finishes with one window that no snapshot carried.
  const out = merge.result([a.snapshot(), null])
  expect(out.timeline.map((s) => [s.t, s.counters['http_reqs']])).toEqual([[0, 7], [1, 1]])
  expect(out.series.find((s) => s.name === 'http_reqs')?.count).toBe(3 + 5)
  // The live result handed out earlier does not change with later windows.
  expect(live?.timeline.length).toBe(1)
})
