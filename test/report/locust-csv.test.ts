/** Locust-compatible CSV, read back and checked against Locust's own columns and the traffic that happened. */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { run } from '../../src/index.ts'
import { locustCsv } from '../../src/report/locust-csv.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'

// Locust's column lists, as locust/stats.py writes them (requests_csv_columns, stats_history_csv_columns, failures).
const PCT = ['50%', '66%', '75%', '80%', '90%', '95%', '98%', '99%', '99.9%', '99.99%', '100%']
const LOCUST_STATS = ['Type', 'Name', 'Request Count', 'Failure Count', 'Median Response Time', 'Average Response Time', 'Min Response Time',
  'Max Response Time', 'Average Content Size', 'Requests/s', 'Failures/s', ...PCT]
const LOCUST_HISTORY = ['Timestamp', 'User Count', 'Type', 'Name', 'Requests/s', 'Failures/s', ...PCT, 'Total Request Count', 'Total Failure Count',
  'Total Median Response Time', 'Total Average Response Time', 'Total Min Response Time', 'Total Max Response Time', 'Total Average Content Size']
const LOCUST_FAILURES = ['Method', 'Name', 'Error', 'Occurrences']

/** A small RFC 4180 reader (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = []
  let field = ''
  let row: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(field); field = '' } else if (c === '\r') continue
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = '' } else field += c
  }
  const [head, ...body] = rows
  return body.map((r) => Object.fromEntries((head as string[]).map((h, i) => [h, r[i] ?? ''])))
}
const header = (text: string) => text.split('\r\n')[0]?.split(',')

let server: TestServer
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/fail') { res.statusCode = 500; res.end('nope, "quoted", failure') } else res.end('x'.repeat(100))
  })
})
afterAll(async () => { await server.close() })

test('stats, history and failures CSV have Locust\'s columns and the run\'s figures', async () => {
  const result = await run({ executor: 'constant-vus', vus: 2, duration: '2200ms', data: { url: server.url }, fn: async ({ http, data, vu, sleep }) => {
    const u = (data as { url: string }).url
    await http.get(`${u}/items/${vu.iteration}`)
    if (vu.iteration % 4 === 0) await http.post(`${u}/fail`)
    await sleep(0.02)
  } })
  const csv = locustCsv(result)
  expect(header(csv.stats)).toEqual(LOCUST_STATS)
  expect(header(csv.history)).toEqual(LOCUST_HISTORY)
  expect(header(csv.failures)).toEqual(LOCUST_FAILURES)

  const stats = parseCsv(csv.stats)
  const items = stats.find((r) => r['Name'] === '/items/:id')
  const fail = stats.find((r) => r['Name'] === '/fail')
  const agg = stats.find((r) => r['Name'] === 'Aggregated')
  expect(items).toMatchObject({ Type: 'GET', 'Failure Count': '0', 'Average Content Size': '100' })
  expect(Number(items?.['Request Count'])).toBe(result.endpoint('GET /items/:id').requests)
  expect(fail).toMatchObject({ Type: 'POST' })
  expect(Number(fail?.['Failure Count'])).toBe(Number(fail?.['Request Count']))
  expect(Number(agg?.['Request Count'])).toBe(result.requests)
  expect(Number(agg?.['Failure Count'])).toBe(result.errors.total)
  expect(Number(agg?.['Median Response Time'])).toBeCloseTo(result.trend('http_req_duration')?.p50 ?? -1, 2)
  expect(Number(agg?.['100%'])).toBeCloseTo(result.trend('http_req_duration')?.max ?? -1, 1)

  const history = parseCsv(csv.history)
  expect(history.length).toBe(result.timeline.length)
  expect(history.every((r) => r['Name'] === 'Aggregated')).toBe(true)
  expect(Number(history.at(-1)?.['Total Request Count'])).toBe(result.requests)
  expect(Number(history.at(-1)?.['Total Failure Count'])).toBe(result.errors.total)
  expect(history.slice(0, 2).every((r) => Number(r['User Count']) === 2)).toBe(true)
  expect(Number(history[1]?.['Timestamp'])).toBe(Number(history[0]?.['Timestamp']) + 1)

  const failures = parseCsv(csv.failures)
  // The error keeps the start of the body; its comma and quotes survive CSV quoting.
  expect(failures).toEqual([{ Method: 'POST', Name: '/fail', Error: '5xx: 500 Internal Server Error: nope, "quoted", failure', Occurrences: String(result.errors.total) }])
})
