/**
 * The bidding stack for real: Redis, NATS (JetStream), Postgres and the three services as separate
 * processes. Skipped, saying why, where Debian's redis-server, nats-server or postgresql is missing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { biddingStackUnavailable, startBiddingStack, type BiddingStack } from '../../examples/bidding/stack.ts'
import { groupAlive } from '../../examples/bidding/process-runner.ts'
import { archiveOf, createItem, getJson, postJson, until, type ApiStats, type ItemState } from './bidding-helpers.ts'

const unavailable = biddingStackUnavailable()
if (unavailable) console.warn(`bidding stack tests skipped: ${unavailable}`)

const newDir = () => mkdtempSync(join(tmpdir(), 'loadspec-bidding-'))

/** Bids `amounts` one after the other; returns the statuses and the accepted amounts. */
async function bidSequence(api: string, item: string, amounts: readonly number[]) {
  const statuses: number[] = []
  const accepted: number[] = []
  for (const amount of amounts) {
    const res = await postJson(`${api}/items/${item}/bids`, { user: `u${amount % 7}`, amount })
    statuses.push(res.status)
    if (res.status === 201) accepted.push(amount)
    await res.body?.cancel()
  }
  return { statuses, accepted }
}

const handleKinds = () => process.getActiveResourcesInfo().filter((k) => k === 'ProcessWrap' || k === 'PipeWrap')

describe.skipIf(unavailable !== null)('bidding stack', () => {
  test('starts every service as its own process and stop() leaves no process and no handle', async () => {
    const dir = newDir()
    const before = handleKinds().length
    const stack = await startBiddingStack({ dir })
    let pids: number[] = []
    try {
      pids = Object.values(stack.pids()).filter((p): p is number => p !== null)
      expect(pids).toHaveLength(6)
      expect(new Set(pids).size).toBe(6)
      for (const pid of pids) expect(groupAlive(pid)).toBe(true)
      expect(handleKinds().length).toBeGreaterThan(before)
    } finally {
      await stack.stop()
      await stack.stop()
      rmSync(dir, { recursive: true, force: true })
    }
    // Every process group is gone (Postgres backends included), and so are our pipes to them.
    for (const pid of pids) expect(groupAlive(pid)).toBe(false)
    expect(Object.values(stack.pids())).toEqual([null, null, null, null, null, null])
    expect(handleKinds().length).toBe(before)
  })

  test('a service that cannot become ready fails the start, and what started is stopped', async () => {
    const dir = newDir()
    // An empty file where nats-server wants its JetStream directory: it exits at start.
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(dir, 'jetstream'), '')
    const before = handleKinds().length
    try {
      await expect(startBiddingStack({ dir })).rejects.toMatchObject({ name: 'BiddingStackError', service: 'nats' })
      expect(handleKinds().length).toBe(before)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  describe('one running stack', () => {
    let stack: BiddingStack
    let dir: string
    beforeAll(async () => { dir = newDir(); stack = await startBiddingStack({ dir }) })
    afterAll(async () => { await stack?.stop(); rmSync(dir, { recursive: true, force: true }) })

    test('Lua script: under concurrent bids no two are accepted at one price and the final price is the highest accepted', async () => {
      const item = await createItem(stack.api, 0)
      // 40 bidders × 10 bids of amounts that collide often (1..60), all in flight together.
      const bids = Array.from({ length: 400 }, (_, i) => ({ user: `u${i % 40}`, amount: 1 + ((i * 7919) % 60) }))
      const answers = await Promise.all(bids.map(async (b) => {
        const res = await postJson(`${stack.api}/items/${item}/bids`, b)
        return { ...b, status: res.status, body: (await res.json()) as { bidId?: number; price: number } }
      }))
      expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true)
      const accepted = answers.filter((a) => a.status === 201)
      const amounts = accepted.map((a) => a.amount)
      expect(new Set(amounts).size).toBe(amounts.length)
      // In bid-id order (the order the script ran them) every accepted bid beats the one before.
      const byId = [...accepted].sort((a, b) => (a.body.bidId ?? 0) - (b.body.bidId ?? 0))
      for (let i = 1; i < byId.length; i++) expect(byId[i]!.amount).toBeGreaterThan(byId[i - 1]!.amount)
      const state = await getJson<ItemState>(`${stack.api}/items/${item}`)
      expect(state.price).toBe(Math.max(...amounts))
      expect(state.price).toBe(60)
      expect(state.accepted).toBe(accepted.length)
      expect(state.rejected).toBe(400 - accepted.length)
      const archive = await until('archive of the contested item', () => archiveOf(stack.postgresUrl, item), (a) => a.rows === accepted.length)
      expect(archive).toEqual({ rows: accepted.length, distinctIds: accepted.length, max: 60 })
    })

    test('killing the broadcast service disconnects viewers and not bidders; it comes back on its port', async () => {
      const item = await createItem(stack.api, 0)
      const wsUrl = `${stack.broadcast.replace('http', 'ws')}/items/${item}`
      const viewer = new WebSocket(wsUrl)
      await new Promise((resolve, reject) => { viewer.once('message', resolve); viewer.once('error', reject) })
      expect(await getJson(`${stack.broadcast}/stats/items/${item}`)).toEqual({ item, viewers: 1 })
      const closed = new Promise((resolve) => viewer.once('close', resolve))
      await stack.kill('broadcast')
      await closed
      expect((await bidSequence(stack.api, item, [1, 2, 3])).statuses).toEqual([201, 201, 201])
      await stack.start('broadcast')
      const again = new WebSocket(wsUrl)
      const messages: { type: string; amount?: number }[] = []
      const got = new Promise<void>((resolve) => again.on('message', (m) => {
        messages.push(JSON.parse(String(m)) as { type: string })
        if (messages.at(-1)?.type === 'bid') resolve()
      }))
      await new Promise((resolve) => again.once('open', resolve))
      await until('viewer registered', () => getJson<{ viewers: number }>(`${stack.broadcast}/stats/items/${item}`), (s) => s.viewers === 1)
      expect((await bidSequence(stack.api, item, [10])).statuses).toEqual([201])
      await got
      expect(messages.map((m) => m.type)).toEqual(['hello', 'bid'])
      expect(messages[1]).toMatchObject({ type: 'bid', item, amount: 10 })
      again.close()
    })

    test('archive is complete after Postgres is killed mid-way and started again', async () => {
      const item = await createItem(stack.api, 0)
      const first = await bidSequence(stack.api, item, [1, 2, 3, 4, 5])
      await until('first bids archived', () => archiveOf(stack.postgresUrl, item), (a) => a.rows === 5)
      const { retries } = await getJson<{ retries: number }>(`${stack.archiver}/stats`)
      await stack.kill('postgres')
      const during = await bidSequence(stack.api, item, Array.from({ length: 30 }, (_, i) => 6 + i))
      expect(during.statuses.every((s) => s === 201)).toBe(true)
      // The worker has been failing to write meanwhile (it retries, holding the bid).
      await until('archiver notices', () => getJson<{ retries: number }>(`${stack.archiver}/stats`), (s) => s.retries > retries)
      await stack.start('postgres')
      const total = first.accepted.length + during.accepted.length
      const archive = await until('archive caught up', () => archiveOf(stack.postgresUrl, item), (a) => a.rows >= total)
      expect(archive).toEqual({ rows: 35, distinctIds: 35, max: 35 })
    })

    test('with NATS down the API keeps answering (error rate 0), buffers bids, flushes them after restart, and the archive is complete', async () => {
      const item = await createItem(stack.api, 0)
      await bidSequence(stack.api, item, [1, 2, 3])
      const base = await getJson<ApiStats>(`${stack.api}/stats`)
      await stack.kill('nats')
      await until('API sees NATS gone', () => getJson<ApiStats>(`${stack.api}/stats`), (s) => !s.natsConnected)
      const during = await bidSequence(stack.api, item, Array.from({ length: 50 }, (_, i) => 4 + i))
      expect(during.statuses).toEqual(Array.from({ length: 50 }, () => 201))
      const down = await getJson<ApiStats>(`${stack.api}/stats`)
      expect(down.buffered - base.buffered).toBe(50)
      expect(down.pending).toBe(50)
      expect(down.lost).toBe(0)
      await stack.start('nats')
      const after = await until('outbox flushed', () => getJson<ApiStats>(`${stack.api}/stats`), (s) => s.natsConnected && s.pending === 0)
      expect(after.flushed - base.flushed).toBe(50)
      expect(after.lost).toBe(0)
      const archive = await until('archive caught up', () => archiveOf(stack.postgresUrl, item), (a) => a.rows >= 53)
      expect(archive).toEqual({ rows: 53, distinctIds: 53, max: 53 })
    })
  })
  test('a full outbox drops the oldest bids and reports them lost; the rest are flushed and archived', async () => {
    const dir = newDir()
    const stack = await startBiddingStack({ dir, outboxLimit: 5 })
    try {
      const item = await createItem(stack.api, 0)
      await stack.kill('nats')
      await until('API sees NATS gone', () => getJson<ApiStats>(`${stack.api}/stats`), (s) => !s.natsConnected)
      const during = await bidSequence(stack.api, item, [1, 2, 3, 4, 5, 6, 7, 8])
      expect(during.statuses).toEqual(Array.from({ length: 8 }, () => 201))
      expect(await getJson<ApiStats>(`${stack.api}/stats`)).toMatchObject({ accepted: 8, buffered: 8, pending: 5, lost: 3 })
      await stack.start('nats')
      expect(await until('outbox flushed', () => getJson<ApiStats>(`${stack.api}/stats`), (s) => s.natsConnected && s.pending === 0))
        .toMatchObject({ published: 5, flushed: 5, lost: 3 })
      // The archive holds exactly the five that were kept: the newest, so the top price is there.
      const archive = await until('archive caught up', () => archiveOf(stack.postgresUrl, item), (a) => a.rows >= 5)
      expect(archive).toEqual({ rows: 5, distinctIds: 5, max: 8 })
    } finally {
      await stack.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
