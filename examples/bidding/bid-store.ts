/**
 * The auction's state in Redis. A bid is decided by one Lua script run with EVAL: read the item's
 * price, compare, set the new price and winner, and append the bid to the bid log, so no other bid
 * can interleave between the read and the write (Redis runs a script to the end before anything else).
 *
 * Keys: `item:<id>` (hash: price, winner, accepted, rejected), `items:seq`, `bids:seq` (bid ids,
 * one sequence for all items) and `bids:log` (a list of accepted bids as JSON, oldest first).
 */
import type { Redis } from 'ioredis'

/** An accepted bid, as logged in Redis, published on NATS and archived in Postgres. */
export interface AcceptedBid {
  /** Sequence over all items, from 1: the archive's idempotency key. */
  readonly id: number
  readonly item: string
  readonly user: string
  readonly amount: number
  /** Epoch ms, Redis' clock. */
  readonly at: number
}

export type BidOutcome =
  | { readonly state: 'accepted'; readonly bid: AcceptedBid }
  | { readonly state: 'rejected'; readonly price: number }
  | { readonly state: 'missing' }

export interface ItemState {
  readonly id: string
  readonly price: number
  readonly winner: string | null
  readonly accepted: number
  readonly rejected: number
}

// Returns {1, bid json} when accepted, {0, price} when not high enough, {-1} for no such item.
// The price goes back as a string: Redis truncates Lua numbers to integers on the way out.
const PLACE_BID = `
local price = redis.call('HGET', KEYS[1], 'price')
if not price then return {-1} end
local amount = tonumber(ARGV[3])
if amount <= tonumber(price) then
  redis.call('HINCRBY', KEYS[1], 'rejected', 1)
  return {0, price}
end
local id = redis.call('INCR', KEYS[2])
local now = redis.call('TIME')
local bid = cjson.encode({ id = id, item = ARGV[1], user = ARGV[2], amount = amount,
  at = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) })
redis.call('HSET', KEYS[1], 'price', ARGV[3], 'winner', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'accepted', 1)
redis.call('RPUSH', KEYS[3], bid)
return {1, bid}
`

export class BidStore {
  private readonly redis: Redis
  constructor(redis: Redis) { this.redis = redis }

  async createItem(startingPrice: number): Promise<string> {
    const id = String(await this.redis.incr('items:seq'))
    await this.redis.hset(`item:${id}`, { price: String(startingPrice), winner: '', accepted: '0', rejected: '0' })
    return id
  }

  async placeBid(item: string, user: string, amount: number): Promise<BidOutcome> {
    // One EVAL per bid; the script is ~600 bytes, less than caching it with EVALSHA would save here.
    const reply = (await this.redis.eval(PLACE_BID, 3, `item:${item}`, 'bids:seq', 'bids:log', item, user, String(amount))) as [number, string?]
    if (reply[0] === -1) return { state: 'missing' }
    if (reply[0] === 0) return { state: 'rejected', price: Number(reply[1]) }
    return { state: 'accepted', bid: JSON.parse(String(reply[1])) as AcceptedBid }
  }

  async item(id: string): Promise<ItemState | null> {
    const h = await this.redis.hgetall(`item:${id}`)
    if (h['price'] === undefined) return null
    return { id, price: Number(h['price']), winner: h['winner'] || null, accepted: Number(h['accepted'] ?? 0), rejected: Number(h['rejected'] ?? 0) }
  }

  /** The bid log from index `from` (0-based) on: what an auditor compares the archive with. */
  async log(from = 0): Promise<AcceptedBid[]> {
    const rows = await this.redis.lrange('bids:log', from, -1)
    return rows.map((r) => JSON.parse(r) as AcceptedBid)
  }
}
