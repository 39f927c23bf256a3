/**
 * Starts the whole bidding system by hand (`node examples/bidding/main.ts`): Redis, NATS, a
 * throwaway Postgres cluster and the three services on free ports, until SIGINT/SIGTERM, then
 * stops everything and removes its data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBiddingStack } from './stack.ts'

const dir = mkdtempSync(join(tmpdir(), 'loadspec-bidding-'))
const stack = await startBiddingStack({ dir })
process.stdout.write([
  `bid API      ${stack.api}`,
  `broadcast    ${stack.broadcast.replace('http', 'ws')}/items/:id`,
  `archiver     ${stack.archiver}/stats`,
  `redis        ${stack.redisUrl}`,
  `nats         ${stack.natsUrl}`,
  `postgres     ${stack.postgresUrl}`,
  '',
].join('\n'))
const stop = () => { void stack.stop().finally(() => { rmSync(dir, { recursive: true, force: true }); process.exit(0) }) }
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
