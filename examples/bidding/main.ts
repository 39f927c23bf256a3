/** Starts the example auction on PORT (default 8100) until SIGINT/SIGTERM. */
import { startBiddingServer } from './server.ts'

const app = await startBiddingServer({ port: Number(process.env['PORT'] ?? 8100), broadcastDelayMs: Number(process.env['BROADCAST_DELAY_MS'] ?? 0) })
process.stdout.write(`bidding API listening on ${app.url}\n`)
const stop = () => { void app.close().then(() => process.exit(0)) }
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
