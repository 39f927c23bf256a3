/**
 * The bidding suite (the bidding experiments seed) against the real system: the bid API deciding
 * bids in Redis with a Lua script and publishing them on NATS, the broadcast service fanning them
 * out over WebSocket and the archival worker writing them to Postgres, each a process of its own,
 * started by loadspec's services runtime from the stack's process table
 * (examples/bidding/processes.ts), shared by the three suites. 1) contention on one item;
 * 2) fan-out of one bid to V viewers; 3) a mixed load while the block's `faults:` kill broadcast,
 * Postgres and NATS and start them again, measured in phases and recovery.
 * `ci`: 20 bidders / 200 viewers / 8 VUs for 18 s; `full`: 200 bidders / 5 000 viewers / 40 VUs for 2 min.
 */
import { chmodSync, chownSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { scenario } from '../src/plugin/vitest/index.ts'
import { processService, sharedServices, type ServiceDefinition, type ServiceSet, type VuContext } from '../src/index.ts'
import { biddingStackUnavailable } from '../examples/bidding/stack.ts'
import { biddingProcesses, postgresBinDir, postgresUser } from '../examples/bidding/processes.ts'
import { archiveOf, createItem, getJson, until, type ApiStats, type ItemState } from '../test/examples/bidding-helpers.ts'

const unavailable = biddingStackUnavailable()
const profile = process.env['LOADSPEC_PROFILE'] ?? 'ci'
// Computed, not created, at load: load workers read this file too and must start nothing.
const dir = join(tmpdir(), `loadspec-bidding-perf-${process.pid}`)

/** The stack's process table, entry for entry, as processService() definitions. */
function biddingServices(): Record<string, ServiceDefinition> {
  // Defined even where the stack cannot run (its tests are skipped), so the blocks' faults name declared services.
  const table = biddingProcesses({ dir, pgBin: postgresBinDir() ?? '/usr/lib/postgresql/none/bin', pgUser: postgresUser(), node: process.execPath, outboxLimit: 100_000 })
  // The Node services exit when their stdin closes (the stack's own orphan guard); processService()
  // holds each one's stdin open for its life, as the stack's own runner does.
  return Object.fromEntries(table.map((d) => [d.name, processService(d.command, [...d.args], {
    port: 0, env: d.env ?? {}, ready: d.ready, readyTimeout: d.readyTimeout, stopTimeout: d.stopTimeout, protocol: d.protocol,
  })]))
}

const stack = sharedServices(biddingServices())
let set: ServiceSet | undefined
beforeAll(async () => {
  if (unavailable) { console.warn(`bidding suites skipped: ${unavailable}`); return }
  const pgData = join(dir, 'postgres')
  mkdirSync(pgData, { recursive: true, mode: 0o700 })
  const user = postgresUser()
  if (user) {
    // Postgres runs as another user: it must own its data directory and reach it.
    chownSync(pgData, user.uid, user.gid)
    chmodSync(dir, statSync(dir).mode | 0o011)
  }
  set = await stack.start()
}, 90_000)
afterAll(async () => { await stack.stop(); rmSync(dir, { recursive: true, force: true }) })
const running = () => {
  const s = set as ServiceSet
  return { api: s.get('api').url as string, ws: (s.get('broadcast').url as string).replace('http', 'ws'),
    postgresUrl: `postgres://bidding@127.0.0.1:${s.get('postgres').port}/postgres` }
}
const wsBase = () => running().ws

interface Data { api: string; ws: string; item: string; viewers?: number }

/** One bid a little above what this VU last saw, so many race and lose; counted by outcome. */
async function bid({ http, data, vu, state, metrics }: VuContext<Data>): Promise<void> {
  const last = (state['last'] as number | undefined) ?? 0
  const amount = last + 1 + Math.floor(Math.random() * 3)
  const accepted = metrics.counter('bids_accepted')
  const rejected = metrics.counter('bids_rejected')
  const res = await http.post(`${data.api}/items/${data.item}/bids`, { json: { user: `u${vu.id}`, amount }, expectedStatuses: [201, 409], name: 'POST /items/:id/bids' })
  if (res.status !== 201 && res.status !== 409) return
  const body = res.json<{ accepted: boolean; price: number }>()
  state['last'] = body.price
  if (body.accepted) { accepted.add(1); metrics.gauge('highest_accepted_bid').add(amount) } else rejected.add(1)
}

const contention = scenario<Data>('bidding: users bid on one contested item', {
  executor: 'shared-iterations', vus: 200, iterations: 5000, maxDuration: '5m',
  profiles: { ci: { vus: 20, iterations: 400, maxDuration: '1m' }, full: {} },
  thresholds: { http_req_failed: ['rate==0'] },
  services: stack,
}, (ctx) => bid(ctx))

// Test timeouts cover each scenario's cap (maxDuration + gracefulStop + start), so a slow run is
// measured to its end rather than stopped before the test's timeout.
test.skipIf(unavailable !== null)('contested item: the stored price is the highest accepted bid, and Postgres archived every accepted bid', async () => {
  const item = await createItem(running().api, 0)
  const result = await contention.run({ data: { api: running().api, ws: wsBase(), item } })
  const accepted = result.counter('bids_accepted')?.count ?? 0
  const rejected = result.counter('bids_rejected')?.count ?? 0
  expect(accepted + rejected).toBe(result.iterations.completed)
  expect(result).toPassThresholds()
  const highest = result.gauge('highest_accepted_bid')?.max
  const final = await getJson<ItemState>(`${running().api}/items/${item}`)
  expect({ accepted: final.accepted, rejected: final.rejected, price: final.price }).toEqual({ accepted, rejected, price: highest })
  const archive = await until('archive holds every accepted bid', () => archiveOf(running().postgresUrl, item), (a) => a.rows >= accepted)
  expect(archive).toEqual({ rows: accepted, distinctIds: accepted, max: highest })
}, 360_000)

const fanout = scenario<Data>('bidding: one bid fanned out to every viewer', {
  executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '3m',
  profiles: { ci: {}, full: {} },
  thresholds: { ws_fanout_delivered: ['rate>0.99'], ws_fanout_latency: ['p(95)<1000'] },
  services: stack,
}, async ({ ws, http, data, check }) => {
  const viewers = data.viewers ?? 200
  const fan = await ws.fanout(`${data.ws}/items/${data.item}`, { sessions: viewers, name: 'WS /items/:id' })
  await Promise.all(fan.sessions.map((s) => s.next((m) => m.json<{ type: string }>().type === 'hello', 10_000)))
  // The broadcast service's own count, before the bid: every viewer is registered with it.
  const stats = await http.get(`${data.ws.replace('ws', 'http')}/stats/items/${data.item}`, { name: 'GET /stats/items/:id' })
  check(stats.json<{ viewers: number }>().viewers, { 'broadcast counts every viewer': (n) => n === viewers })
  let bidId = -1
  await fan.measure(async () => {
    const res = await http.post(`${data.api}/items/${data.item}/bids`, { json: { user: 'auctioneer', amount: 1_000_000 }, name: 'POST /items/:id/bids' })
    bidId = res.json<{ bidId: number }>().bidId
  }, (m) => m.json<{ type: string; id?: number }>().type === 'bid', 15_000)
  check(bidId, { 'bid accepted': (id) => id > 0 })
  await fan.close()
})

test.skipIf(unavailable !== null)('fan-out: every viewer receives the bid through NATS and the broadcast service', async () => {
  const item = await createItem(running().api, 0)
  const viewers = profile === 'full' ? 5000 : 200
  const result = await fanout.run({ data: { api: running().api, ws: wsBase(), item, viewers } })
  expect(result.rate('ws_fanout_delivered')).toMatchObject({ passes: viewers, fails: 0 })
  expect(result.trend('ws_fanout_latency')?.count).toBe(viewers)
  expect(result.trend('ws_fanout_complete')?.count).toBe(1)
  expect(result.rate('checks')).toMatchObject({ passes: 2, fails: 0 })
  expect(result.errors.total).toBe(0)
  expect(result).toPassThresholds()
}, 240_000)

/** The faults, in order: each service is killed, then started again after `for` (the revert waits until it is ready). */
const kills = (at: readonly string[], span: string) => (['broadcast', 'postgres', 'nats'] as const).map((service, i) =>
  ({ at: at[i] as string, for: span, service, action: 'kill' as const }))

const resilience = scenario<Data>('bidding: mixed load while broadcast, Postgres and NATS are killed and restarted', {
  executor: 'constant-vus', vus: 40, duration: '2m',
  faults: kills(['20s', '50s', '80s'], '10s'),
  profiles: { ci: { vus: 8, duration: '18s', faults: kills(['3s', '7s', '11s'], '2s') }, full: {} },
  // The bid API's HTTP answers (bids and item views) must never fail, whatever is down behind it.
  thresholds: { http_req_failed: ['rate==0'] },
  services: stack,
}, async (ctx) => {
  const { ws, http, data, pick, sleep, check } = ctx
  if (pick({ bid: 3, view: 1 }) === 'bid') await bid(ctx)
  else {
    const item = await http.get(`${data.api}/items/${data.item}`, { name: 'GET /items/:id' })
    check(item, { 'item readable': (r) => r.status === 200 })
    // A viewer watches briefly; while broadcast is down this fails and is counted under WS errors.
    const s = await ws.connect(`${data.ws}/items/${data.item}`, { name: 'WS /items/:id', timeout: 2_000 })
    if (s.ok) { await s.next((m) => m.json<{ type: string }>().type === 'hello', 2_000); s.close() }
  }
  await sleep(0.05) // pacing: bounds the rate
})

test.skipIf(unavailable !== null)('resilience: the bid API never fails while broadcast, Postgres and NATS die; buffered bids are flushed and the archive catches up', async () => {
  const item = await createItem(running().api, 0)
  const before = await getJson<ApiStats>(`${running().api}/stats`)
  const result = await resilience.run({ data: { api: running().api, ws: wsBase(), item } })
  const after = await until('outbox flushed', () => getJson<ApiStats>(`${running().api}/stats`), (s) => s.natsConnected && s.pending === 0)
  const marks = result.toJSON().faults ?? []
  const phases = marks.map((m) => {
    const during = result.phase(`during:${m.index}`)
    return { fault: m.label, atMs: Math.round(m.atMs), endMs: Math.round(m.endMs), duringP95: during.p95, duringErrorRate: during.errorRate, duringRps: Math.round(during.throughput) }
  })
  const report = { before: { p95: result.phase('before').p95, rps: Math.round(result.phase('before').throughput) }, phases,
    outbox: { buffered: after.buffered - before.buffered, flushed: after.flushed - before.flushed, lost: after.lost - before.lost } }
  console.log(`bidding resilience: ${JSON.stringify(report)}`)
  // Every fault happened while load was running, in order, each for its span.
  expect(marks.map((m) => m.label)).toEqual(['kill broadcast for 2s', 'kill postgres for 2s', 'kill nats for 2s'].map((l) => profile === 'full' ? l.replace('2s', '10s') : l))
  for (const m of marks) expect(m.endMs).toBeLessThan(result.duration)
  // The bid API's error rate stayed 0: before, during every outage, and over the whole run.
  expect(result.phase('before').requests).toBeGreaterThan(0)
  expect(result.phase('before').errorRate).toBe(0)
  for (const m of marks) {
    expect(result.phase(`during:${m.index}`).requests).toBeGreaterThan(0)
    expect(result.phase(`during:${m.index}`).errorRate).toBe(0)
  }
  expect(result.rate('http_req_failed')?.rate).toBe(0)
  expect(result).toPassThresholds()
  // Latency comes back after each outage (p95 within 3× of before, from the fault's end).
  expect(result).toRecoverWithin(profile === 'full' ? 20_000 : 4_000, { p95: 2 })
  // Bids accepted while NATS was down waited in the outbox and were all published later.
  expect(report.outbox.buffered).toBeGreaterThan(0)
  expect(report.outbox.flushed).toBe(report.outbox.buffered)
  expect(report.outbox.lost).toBe(0)
  const accepted = result.counter('bids_accepted')?.count ?? 0
  const final = await getJson<ItemState>(`${running().api}/items/${item}`)
  expect(final.accepted).toBe(accepted)
  expect(final.price).toBe(result.gauge('highest_accepted_bid')?.max)
  const archive = await until('archive caught up', () => archiveOf(running().postgresUrl, item), (a) => a.rows >= accepted, 60_000)
  expect(archive).toEqual({ rows: accepted, distinctIds: accepted, max: final.price })
}, 180_000)
