// The fault proxy (no toxic) in its own process, in front of 127.0.0.1:<port argument>: prints
// READY <port>, and on each SIGUSR2 a line `CPU <user µs> <system µs>` (process.cpuUsage), so the
// bench reads the proxy's own CPU over a run.
import { startFaultProxy } from '../../dist/index.js'

const proxy = await startFaultProxy({ upstream: { host: '127.0.0.1', port: Number(process.argv[2]) } })
process.on('SIGUSR2', () => {
  const { user, system } = process.cpuUsage()
  process.stdout.write(`CPU ${user} ${system}\n`)
})
process.on('SIGTERM', () => { void proxy.close().then(() => process.exit(0)) })
process.stdout.write(`READY ${proxy.port}\n`)
