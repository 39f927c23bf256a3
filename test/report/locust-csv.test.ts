/** Locust-compatible CSV, read back and checked against Locust's own columns and formats and the traffic that happened. */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { run } from '../../src/index.ts'
import type { PerfResult } from '../../src/metrics/result.ts'
import { locustCsv, type LocustCsv } from '../../src/report/locust-csv.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'

// Locust's column lists, as locust/stats.py (Locust 2.46) writes them: StatsCSV.__init__
// (requests_csv_columns, failures_columns, exceptions_columns) and StatsCSVFileWriter.__init__
// (stats_history_csv_columns); the percentile names are get_readable_percentiles(PERCENTILES_TO_REPORT).
const PCT = ['50%', '66%', '75%', '80%', '90%', '95%', '98%', '99%', '99.9%', '99.99%', '100%']
const LOCUST_STATS = ['Type', 'Name', 'Request Count', 'Failure Count', 'Median Response Time', 'Average Response Time', 'Min Response Time',
  'Max Response Time', 'Average Content Size', 'Requests/s', 'Failures/s', ...PCT]
const LOCUST_HISTORY = ['Timestamp', 'User Count', 'Type', 'Name', 'Requests/s', 'Failures/s', ...PCT, 'Total Request Count', 'Total Failure Count',
  'Total Median Response Time', 'Total Average Response Time', 'Total Min Response Time', 'Total Max Response Time', 'Total Average Content Size']
const LOCUST_FAILURES = ['Method', 'Name', 'Error', 'Occurrences', 'First Seen', 'Last Seen']
const LOCUST_EXCEPTIONS = ['Count', 'Message', 'Traceback', 'Nodes']

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
    else if (c === ',') { row.push(field); field = '' } else if (c === '\r' && text[i + 1] === '\n') continue
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = '' } else field += c
  }
  const [head, ...body] = rows
  return body.map((r) => Object.fromEntries((head as string[]).map((h, i) => [h, r[i] ?? ''])))
}
const header = (text: string) => text.split('\r\n')[0]?.split(',')

/** The first two iterations of each VU are this slow; every later one is instant. */
const SLOW_MS = 150
const INT = /^\d+$/
/** Python's csv writes a float as its repr: always with a decimal point. */
const FLOAT = /^\d+\.\d+$/
const UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

let server: TestServer
let result: PerfResult
let csv: LocustCsv
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/fail') { res.statusCode = 500; res.end('nope, "quoted", failure'); return }
    const slow = req.url === '/items/0' || req.url === '/items/1'
    setTimeout(() => res.end('x'.repeat(100)), slow ? SLOW_MS : 0)
  })
  result = await run({ executor: 'constant-vus', vus: 2, duration: '2200ms', data: { url: server.url }, fn: async ({ http, data, vu, sleep }) => {
    const u = (data as { url: string }).url
    await http.get(`${u}/items/${vu.iteration}`)
    if (vu.iteration % 4 === 0) await http.post(`${u}/fail`)
    if (vu.iteration % 5 === 2) throw new Error('boom in the VU')
    await sleep(0.02)
  } })
  csv = locustCsv(result)
}, 30_000)
afterAll(async () => { await server.close() })

test('the four files have Locust\'s columns', () => {
  expect(header(csv.stats)).toEqual(LOCUST_STATS)
  expect(header(csv.history)).toEqual(LOCUST_HISTORY)
  expect(header(csv.failures)).toEqual(LOCUST_FAILURES)
  expect(header(csv.exceptions)).toEqual(LOCUST_EXCEPTIONS)
})

test('stats: a row per endpoint sorted by name, then Aggregated, with Locust\'s int and float columns', () => {
  const stats = parseCsv(csv.stats)
  // Locust sorts its (name, method) keys: /fail before /items/:id; Aggregated last, without a type.
  expect(stats.map((r) => [r['Type'], r['Name']])).toEqual([['POST', '/fail'], ['GET', '/items/:id'], ['', 'Aggregated']])
  const [fail, items, agg] = stats as [Record<string, string>, Record<string, string>, Record<string, string>]
  expect(items).toMatchObject({ 'Failure Count': '0', 'Average Content Size': '100.0' })
  expect(Number(items['Request Count'])).toBe(result.endpoint('GET /items/:id').requests)
  expect(Number(fail['Failure Count'])).toBe(Number(fail['Request Count']))
  expect(Number(agg['Request Count'])).toBe(result.requests)
  expect(Number(agg['Failure Count'])).toBe(result.errors.byKind['5xx'])
  for (const row of stats) {
    for (const c of ['Request Count', 'Failure Count', 'Median Response Time', ...PCT]) expect(row[c], `${row['Name']} ${c}`).toMatch(INT)
    for (const c of ['Average Response Time', 'Min Response Time', 'Max Response Time', 'Average Content Size', 'Requests/s', 'Failures/s']) {
      expect(row[c], `${row['Name']} ${c}`).toMatch(FLOAT)
    }
  }
  // Median and percentiles are whole ms, as Locust writes int(...); min and max keep µs.
  const latency = result.trend('http_req_duration')
  expect(Number(agg['Median Response Time'])).toBe(Math.round(latency?.p50 ?? -1))
  expect(Number(agg['95%'])).toBe(Math.round(latency?.p95 ?? -1))
  expect(Number(agg['100%'])).toBe(Math.round(latency?.max ?? -1))
  expect(Number(agg['Max Response Time'])).toBeCloseTo(latency?.max ?? -1, 3)
  expect(Number(agg['Min Response Time'])).toBeCloseTo(latency?.min ?? -1, 3)
  expect(Number(agg['Requests/s'])).toBeCloseTo(result.throughput, 5)
})

test('history: Locust\'s default Aggregated rows, percentiles cumulative, the last row equal to the stats file', () => {
  const history = parseCsv(csv.history)
  expect(history.length).toBe(result.timeline.length)
  expect(history.length).toBeGreaterThanOrEqual(2)
  expect(history.every((r) => r['Name'] === 'Aggregated' && r['Type'] === '')).toBe(true)
  expect(history.slice(0, 2).every((r) => r['User Count'] === '2')).toBe(true)
  history.forEach((r, i) => {
    expect(Number(r['Timestamp'])).toBe(Number(history[0]?.['Timestamp']) + i)
    // f"{current_rps:2f}": six decimals.
    expect(r['Requests/s']).toMatch(/^\d+\.\d{6}$/)
    expect(r['Failures/s']).toMatch(/^\d+\.\d{6}$/)
    expect(Number(r['Requests/s'])).toBe(result.timeline[i]?.requests)
  })
  // Every request of the first second on is in each later row's percentiles: the slow first
  // iterations stay in the 100% column even in seconds that had none.
  const quiet = history.filter((_, i) => (result.timeline[i]?.max ?? SLOW_MS) < SLOW_MS && (result.timeline[i]?.requests ?? 0) > 0)
  expect(quiet.length, 'a second without slow requests').toBeGreaterThan(0)
  for (const r of quiet) expect(Number(r['100%'])).toBeGreaterThanOrEqual(SLOW_MS)
  const maxes = history.map((r) => Number(r['Total Max Response Time']))
  expect(maxes).toEqual([...maxes].sort((a, b) => a - b))

  const last = history.at(-1) as Record<string, string>
  const agg = parseCsv(csv.stats).at(-1) as Record<string, string>
  expect(last['Total Request Count']).toBe(agg['Request Count'])
  expect(last['Total Failure Count']).toBe(agg['Failure Count'])
  expect(last['Total Median Response Time']).toBe(agg['Median Response Time'])
  expect(last['Total Average Response Time']).toBe(agg['Average Response Time'])
  expect(last['Total Min Response Time']).toBe(agg['Min Response Time'])
  expect(last['Total Max Response Time']).toBe(agg['Max Response Time'])
  expect(last['Total Average Content Size']).toBe(agg['Average Content Size'])
  for (const p of PCT) expect(last[p], p).toBe(agg[p])
})

test('failures: request failures with Locust\'s First Seen and Last Seen, VU exceptions not among them', () => {
  const failures = parseCsv(csv.failures)
  // The error keeps the start of the body; its comma and quotes survive CSV quoting.
  expect(failures).toEqual([{ Method: 'POST', Name: '/fail', Error: '5xx: 500 Internal Server Error: nope, "quoted", failure',
    Occurrences: String(result.errors.byKind['5xx']), 'First Seen': expect.stringMatching(UTC), 'Last Seen': expect.stringMatching(UTC) }])
  const first = Date.parse(failures[0]?.['First Seen'] ?? '')
  const last = Date.parse(failures[0]?.['Last Seen'] ?? '')
  // The first failure comes with the first iteration; the last one at least a second later.
  expect(first).toBeGreaterThanOrEqual(Math.floor(result.startTime / 1000) * 1000)
  expect(last).toBeGreaterThan(first)
  expect(last).toBeLessThanOrEqual(result.startTime + result.duration)
})

test('exceptions: what the VU function threw, counted, with its traceback and the thread it ran on', () => {
  const exceptions = parseCsv(csv.exceptions)
  expect(exceptions).toHaveLength(1)
  const [e] = exceptions as [Record<string, string>]
  expect(Number(e['Count'])).toBe(result.errors.byKind['exception'])
  expect(Number(e['Count'])).toBeGreaterThan(0)
  expect(e['Message']).toBe('Error: boom in the VU')
  expect(e['Traceback']).toMatch(/^ +at .*locust-csv\.test\.ts:\d+:\d+/)
  expect(e['Nodes']).toBe('worker-0')
})

// A script written for Locust's files: Python's csv.DictReader and the conversions its users write.
const LOCUST_READER = String.raw`
import csv, json, sys
from datetime import datetime, timezone
def rows(kind):
    with open(f"{sys.argv[1]}_{kind}.csv", newline="") as f:
        return list(csv.DictReader(f))
pct = lambda v: None if v == "N/A" else int(v)
seen = lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
print(json.dumps({
  "stats": [{"name": r["Name"], "requests": int(r["Request Count"]), "failures": int(r["Failure Count"]), "median": int(r["Median Response Time"]),
             "avg": float(r["Average Response Time"]), "max": float(r["Max Response Time"]), "size": float(r["Average Content Size"]),
             "rps": float(r["Requests/s"]), "p95": pct(r["95%"]), "p100": pct(r["100%"])} for r in rows("stats")],
  "history": [{"ts": int(r["Timestamp"]), "users": int(r["User Count"]), "rps": float(r["Requests/s"]), "p95": pct(r["95%"]),
               "total": int(r["Total Request Count"]), "max": float(r["Total Max Response Time"])} for r in rows("stats_history")],
  "failures": [{"n": int(r["Occurrences"]), "first": seen(r["First Seen"]), "last": seen(r["Last Seen"])} for r in rows("failures")],
  "exceptions": [{"count": int(r["Count"]), "message": r["Message"], "nodes": r["Nodes"].split(", ")} for r in rows("exceptions")],
}))
`

interface Read {
  stats: { name: string; requests: number; failures: number; median: number; avg: number; max: number; size: number; rps: number; p95: number | null; p100: number | null }[]
  history: { ts: number; users: number; rps: number; p95: number | null; total: number; max: number }[]
  failures: { n: number; first: number; last: number }[]
  exceptions: { count: number; message: string; nodes: string[] }[]
}

function python(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('python3', args, { timeout: 30_000 }, (err, out, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out, err: stderr || String(err?.message ?? '') }))
  })
}
const hasPython = (await python(['-c', 'import csv, json'])).code === 0

describe.skipIf(!hasPython)('a Locust CSV script (Python csv module; skipped where python3 is not installed)', () => {
  test('reads our four files unchanged and gets the run\'s figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadspec-locust-'))
    try {
      const base = join(dir, 'run')
      for (const [kind, text] of [['stats', csv.stats], ['stats_history', csv.history], ['failures', csv.failures], ['exceptions', csv.exceptions]] as const) {
        writeFileSync(`${base}_${kind}.csv`, text)
      }
      writeFileSync(join(dir, 'reader.py'), LOCUST_READER)
      const r = await python([join(dir, 'reader.py'), base])
      expect(r.code, r.err).toBe(0)
      const read = JSON.parse(r.out) as Read
      const agg = read.stats.find((s) => s.name === 'Aggregated')
      expect(agg?.requests).toBe(result.requests)
      expect(agg?.p95).toBe(Math.round(result.trend('http_req_duration')?.p95 ?? -1))
      expect(read.history.at(-1)?.total).toBe(result.requests)
      expect(read.history.at(-1)?.max).toBe(agg?.max)
      expect(read.failures[0]?.n).toBe(result.errors.byKind['5xx'])
      expect(read.failures[0]?.first).toBeLessThan(read.failures[0]?.last ?? 0)
      expect(read.exceptions).toEqual([{ count: result.errors.byKind['exception'], message: 'Error: boom in the VU', nodes: ['worker-0'] }])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
