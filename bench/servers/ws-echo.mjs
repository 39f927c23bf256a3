// WebSocket server that echoes every message: the far end of the WebSocket soak's round trips.
import { WebSocketServer } from 'ws'

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false })
wss.on('listening', () => process.stdout.write(`READY ${wss.address().port}\n`))
wss.on('connection', (ws) => {
  ws.on('error', () => {})
  ws.on('message', (data, binary) => ws.send(data, { binary }))
})
process.on('SIGTERM', () => { for (const c of wss.clients) c.terminate(); wss.close(() => process.exit(0)) })
