/**
 * The archival worker, a process of its own: reads accepted bids from a durable JetStream consumer
 * and writes each to Postgres (`bids`, keyed by bid id, `ON CONFLICT DO NOTHING`), acknowledging a
 * bid only after its row is committed. So nothing is lost while Postgres, NATS or this worker is
 * down (the stream keeps what is unacknowledged, on disk), and nothing is doubled when a bid comes
 * twice (a redelivery after a lost ack, a publisher's retry).
 *
 * nats-server ≥ 2.2 has JetStream (Debian 12 ships 2.9), which is why this is a JetStream consumer
 * and not a core NATS subscription: core NATS drops messages while a subscriber is away.
 *
 * Environment: PORT, NATS_URL, PG_URL. Routes: GET /stats, GET /health.
 */
import pg from 'pg'
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream'
import { serve } from '../shared/http-app.ts'
import type { AcceptedBid } from './bid-store.ts'
import { ARCHIVER_CONSUMER, BID_STREAM, connectNats, ensureBidStream } from './nats-setup.ts'
import { exitWithParent, requiredEnv } from './service-env.ts'

const SCHEMA = `CREATE TABLE IF NOT EXISTS bids (
  id bigint PRIMARY KEY, item text NOT NULL, bidder text NOT NULL, amount double precision NOT NULL,
  placed_at timestamptz NOT NULL, archived_at timestamptz NOT NULL DEFAULT now())`
const INSERT = 'INSERT INTO bids (id, item, bidder, amount, placed_at) VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0)) ON CONFLICT (id) DO NOTHING'

const pool = new pg.Pool({ connectionString: requiredEnv('PG_URL'), max: 2, connectionTimeoutMillis: 2_000 })
// A killed Postgres makes idle clients emit errors; without a listener the pool would crash us.
pool.on('error', () => {})
let schemaReady = false
let stopping = false
const stats = { archived: 0, duplicates: 0, retries: 0, lastError: null as string | null }

async function archive(bid: AcceptedBid): Promise<void> {
  if (!schemaReady) { await pool.query(SCHEMA); schemaReady = true }
  const r = await pool.query(INSERT, [bid.id, bid.item, bid.user, bid.amount, bid.at])
  if (r.rowCount === 1) stats.archived++
  else stats.duplicates++
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// Holds the message while Postgres is away (telling NATS it is still being worked on, so it is not
// redelivered meanwhile) rather than nak-ing it in a tight loop; order is kept as a side effect.
async function handle(m: JsMsg): Promise<void> {
  const bid = m.json<AcceptedBid>()
  for (;;) {
    try {
      await archive(bid)
      m.ack()
      return
    } catch (err) {
      if (stopping) return
      stats.retries++
      stats.lastError = err instanceof Error ? err.message : String(err)
      schemaReady = false
      m.working()
      await sleep(200)
    }
  }
}

const nc = await connectNats(requiredEnv('NATS_URL'), 'archiver')
await ensureBidStream(nc)
const jsm = await jetstreamManager(nc)
await jsm.consumers.add(BID_STREAM, {
  durable_name: ARCHIVER_CONSUMER, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
  ack_wait: 10_000_000_000, // 10 s in ns; `working()` extends it while Postgres is down
  max_ack_pending: 1_000,
})
const consumer = await jetstream(nc).consumers.get(BID_STREAM, ARCHIVER_CONSUMER)
const messages = await consumer.consume({ max_messages: 200 })
void (async () => { for await (const m of messages) await handle(m) })()

const app = await serve([
  { method: 'GET', path: '/health', handle: (ctx) => ctx.json(200, { ok: true }) },
  { method: 'GET', path: '/stats', handle: (ctx) => ctx.json(200, stats) },
], { port: Number(requiredEnv('PORT')) })

process.stdout.write(`archiver listening on ${app.url}\n`)
exitWithParent(async () => {
  stopping = true
  messages.stop()
  await app.close()
  await nc.close().catch(() => {})
  await pool.end().catch(() => {})
})
