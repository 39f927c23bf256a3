/** Starts the example polling-rooms API on PORT (default 8000) until SIGINT/SIGTERM. */
import { startPollingRoomsServer } from './server.ts'

const app = await startPollingRoomsServer({ port: Number(process.env['PORT'] ?? 8000) })
process.stdout.write(`polling rooms API listening on ${app.url} (password: loadspec)\n`)
const stop = () => { void app.close().then(() => process.exit(0)) }
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
