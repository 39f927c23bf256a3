/** Helpers the bidding stack test and the bidding perf suite share: HTTP calls, the archive, polling. */
import pg from 'pg'

export const postJson = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url)
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as T
}

export async function createItem(api: string, price = 0): Promise<string> {
  const res = await postJson(`${api}/items`, { price })
  return ((await res.json()) as { id: string }).id
}

export interface ItemState { price: number; winner: string | null; accepted: number; rejected: number }
export interface ApiStats { accepted: number; rejected: number; published: number; buffered: number; pending: number; flushed: number; lost: number; natsConnected: boolean }

export interface ArchiveSummary { rows: number; distinctIds: number; max: number | null }

/** What Postgres holds for one item, read with a connection of its own (closed before returning). */
export async function archiveOf(postgresUrl: string, item: string): Promise<ArchiveSummary> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 })
  client.on('error', () => {})
  await client.connect()
  try {
    const r = await client.query<{ rows: string; ids: string; max: number | null }>(
      'SELECT count(*) AS rows, count(DISTINCT id) AS ids, max(amount) AS max FROM bids WHERE item = $1', [item])
    const row = r.rows[0]
    return { rows: Number(row?.rows ?? 0), distinctIds: Number(row?.ids ?? 0), max: row?.max ?? null }
  } finally {
    await client.end()
  }
}

/**
 * Calls `probe` until it returns a value `done` accepts or `ms` pass (then throws with the last
 * value seen). Probes that throw (a service still coming back) count as not done.
 */
export async function until<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms
  let last: unknown = undefined
  for (;;) {
    try {
      const v = await probe()
      last = v
      if (done(v)) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
