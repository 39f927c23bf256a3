// A WebSocket server in its own process (so 10 000 client and 10 000 server sockets do not share
// one process's file-descriptor limit). Any "broadcast:<text>" message is sent to every session.
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'

const server = createServer()
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: true })
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const text = data.toString()
    if (text.startsWith('broadcast:')) for (const c of wss.clients) c.send(text.slice(10))
  })
})
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`))
process.on('message', (m) => { if (m === 'count') process.send?.(wss.clients.size) })
process.on('disconnect', () => process.exit(0))
