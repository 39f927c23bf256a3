// WebSocket server that accepts sessions and sends nothing: the far end of idle sessions.
import { WebSocketServer } from 'ws'

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, backlog: 20_000 })
wss.on('listening', () => process.stdout.write(`READY ${wss.address().port}\n`))
wss.on('connection', (ws) => { ws.on('error', () => {}) })
process.on('SIGTERM', () => { for (const c of wss.clients) c.terminate(); wss.close(() => process.exit(0)) })
