/** The end-of-run summary of a real run: columns with units, and colour only where the caller asks for it. */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { run } from '../../src/index.ts'
import { digest } from '../../src/report/summary.ts'
import { formatBlock } from '../../src/report/table.ts'
import { palette } from '../../src/report/colors.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'

const ESC = /\u001b\[\d+m/g
const c = palette(true)

let server: TestServer
let plain = ''
let colored = ''
beforeAll(async () => {
  server = await startServer((req, res) => { res.statusCode = req.url === '/fail' ? 500 : 200; res.end('ok') })
  const result = await run({ vus: 1, iterations: 10, data: { url: server.url },
    thresholds: { http_req_failed: ['rate<0.01'], http_reqs: ['count>0'] },
    fn: async ({ http, data }) => {
      const u = (data as { url: string }).url
      await http.get(`${u}/ok`)
      await http.get(`${u}/fail`)
    } })
  plain = formatBlock(digest(result))
  colored = formatBlock(digest(result), c)
}, 30_000)
afterAll(async () => { await server.close() })

test('latency columns say their unit', () => {
  expect(plain).toMatch(/^ {2}endpoint +reqs +rps +err% +p50 ms +p90 ms +p95 ms +p99 ms +max ms$/m)
})

test('without a palette the summary is plain text', () => {
  expect(plain).not.toContain('\u001b[')
  expect(plain).toMatch(/ {2}·  ✗ thresholds 1\/2$/m)
})

test('with one, ✓ / ✗, the breached figure and error rates are coloured, and the layout is the same', () => {
  expect(colored.replace(ESC, '')).toBe(plain)
  expect(colored).toContain(c.bad('✗ thresholds 1/2'))
  expect(colored).toMatch(new RegExp(`^  ${esc(c.bad('✗'))} http_req_failed rate<0.01  \\(${esc(c.bad('actual 0.5'))}\\)$`, 'm'))
  expect(colored).toMatch(new RegExp(`^  ${esc(c.ok('✓'))} http_reqs count>0  \\(actual 20\\)$`, 'm'))
  // The failing endpoint's err% is red, the healthy one's is not.
  expect(colored).toMatch(new RegExp(`^  GET /fail +10 +[\\d.]+  ${esc(c.bad('100.00'))}  `, 'm'))
  expect(colored).toMatch(/^ {2}GET \/ok +10 +[\d.]+ +0\.00 {2}/m)
})

function esc(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')
}
