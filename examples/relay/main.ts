/** Starts the example relay on PORT (default 7071) until SIGINT/SIGTERM. */
import { startRelayServer } from './server.ts'

const app = await startRelayServer({ port: Number(process.env['PORT'] ?? 7071) })
process.stdout.write(`relay listening on ${app.url}\n`)
const stop = () => { void app.close().then(() => process.exit(0)) }
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
