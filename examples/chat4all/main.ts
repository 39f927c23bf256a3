/** Starts the example Chat4All API on PORT (default 8200; 0 = any free port) until SIGINT/SIGTERM or the parent goes. */
import { startChat4AllServer } from './server.ts'

const app = await startChat4AllServer({ port: Number(process.env['PORT'] ?? 8200) })
process.stdout.write(`chat4all API listening on ${app.url}\n`)
const stop = () => { void app.close().then(() => process.exit(0)) }
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
process.once('disconnect', stop)
