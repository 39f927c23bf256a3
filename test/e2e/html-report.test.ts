/**
 * The HTML report, end to end: a real run against a hostile server (script in its bodies and
 * reason phrase, credentials echoed back), files written, then the page opened in Debian's headless
 * Chromium: charts drawn, no console error, nothing from the server executed, no credential anywhere.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { chromium, type Browser } from 'playwright-core'
import { run } from '../../src/index.ts'
import type { PerfResult } from '../../src/metrics/result.ts'
import { HTML_REPORT, writeHtmlReport, writeResultFiles } from '../../src/report/files.ts'
import { main } from '../../src/cli/main.ts'

const CHROMIUM = '/usr/bin/chromium'
const skipWhy = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium); the browser checks cannot run`
if (skipWhy) console.warn(`html-report: skipping browser tests: ${skipWhy}`)

/** Markup a careless report would execute; each payload would set window.__pwned. */
const HOSTILE = `<script>window.__pwned = 'body'</script><img src=x onerror="window.__pwned='img'"></script><!--`
const TOKEN = 'Bearer s3cr3t-token-value'
const COOKIE = 'session=s3cr3t-cookie-value'

let server: Server
let base = ''
let dir = ''
let result: PerfResult
const screenshots = fileURLToPath(new URL('../../perf-results/', import.meta.url))

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/bad') {
      // A reason phrase and a body full of markup, and the caller's credentials echoed back.
      res.statusMessage = `<b onmouseover=alert(1)>Broken</b>`
      res.writeHead(500, { 'content-type': 'text/html' })
      res.end(`${HOSTILE} authorization: ${req.headers.authorization ?? ''}`)
      return
    }
    if (req.url === '/echo') {
      // Only the credential, so it falls within the error sample's excerpt of the body.
      res.writeHead(500)
      res.end(`authorization: ${req.headers.authorization ?? ''}`)
      return
    }
    setTimeout(() => res.end('ok'), 2)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = mkdtempSync(join(tmpdir(), 'loadspec-html-'))
  let i = 0
  result = await run({
    name: 'hostile <server> & "friends"',
    executor: 'ramping-vus', startVUs: 1, stages: [{ duration: '1s', target: 3 }, { duration: '1500ms', target: 3 }],
    thresholds: { http_req_duration: ['p(95)<800'], http_req_failed: ['rate<0.9'] },
    fn: async ({ http, sleep }) => {
      const n = i++
      if (n % 5 === 0) await http.get(`${base}/bad`, { headers: { authorization: TOKEN } })
      else if (n % 7 === 1) await http.get(`${base}/echo`, { headers: { authorization: TOKEN } })
      else await http.get(`${base}/ok`)
      if (n % 23 === 0) throw new Error(`request failed with Cookie: ${COOKIE} and <script>window.__pwned='error'</script>`)
      await sleep(0.02)
    },
  })
}, 30_000)

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
  rmSync(dir, { recursive: true, force: true })
})

describe('report files', () => {
  test('no credential reaches any file we write, while the errors are kept', () => {
    writeResultFiles(result, dir)
    writeHtmlReport([JSON.parse(readFileSync(join(dir, 'hostile-server-friends.json'), 'utf8'))], join(dir, HTML_REPORT))
    const files = readdirSync(dir)
    expect(files.sort()).toEqual(['hostile-server-friends.json', 'hostile-server-friends_exceptions.csv', 'hostile-server-friends_failures.csv', 'hostile-server-friends_stats.csv',
      'hostile-server-friends_stats_history.csv', HTML_REPORT])
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8')
      expect(text, f).not.toContain('s3cr3t')
    }
    expect(result.errors.byKind['5xx']).toBeGreaterThan(0)
    expect(result.errors.byKind['exception']).toBeGreaterThan(0)
    const messages = result.errors.samples.map((s) => s.message).join('\n')
    expect(messages).toContain('authorization: [redacted]')
    expect(messages).toContain('Cookie: [redacted]')
  })

  test('the page holds no unescaped server text and no external reference', () => {
    const html = readFileSync(join(dir, HTML_REPORT), 'utf8')
    expect(html).not.toContain(HOSTILE)
    expect(html).not.toContain('<b onmouseover')
    expect(html).toContain('&lt;script&gt;window.__pwned')
    expect(html).toContain('<h2>hostile &lt;server&gt; &amp; &quot;friends&quot;')
    // The generator's own readings, with the figures the run recorded (not placeholders).
    const w = result.generator.workers[0]
    expect(w).toBeDefined()
    if (w) expect(html).toContain(`loop delay p99 ${w.loopDelayP99Ms.toFixed(1)} ms, max ${w.loopDelayMaxMs.toFixed(1)} ms, heap ${w.heapUsedMb.toFixed(0)} of ${w.heapLimitMb.toFixed(0)} MB`)
    // Self-contained: nothing to fetch when viewed offline.
    expect(html).not.toMatch(/<(?:script|link|img)[^>]+(?:src|href)=/i)
    expect(html).toMatch(/Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/)
  })
})

describe.skipIf(skipWhy !== null)('the HTML report in headless Chromium', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  }, 30_000)
  afterAll(async () => { await browser?.close() })

  test('draws the four charts with no console error, runs nothing from the server, and is screenshotted', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    const problems: string[] = []
    const requests: string[] = []
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`) })
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()) })
    await page.goto(`file://${join(dir, HTML_REPORT)}`)
    await page.waitForSelector('body[data-charts]', { timeout: 10_000 })
    expect(await page.getAttribute('body', 'data-charts')).toBe('4')
    expect(await page.locator('#block-0 canvas').count()).toBe(4)
    // Each chart drew something: its canvas has coloured (non-white, non-transparent) pixels.
    // (A string, so this Node-typed file needs no DOM types.)
    const inked = await page.evaluate(`[...document.querySelectorAll('canvas')].map((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
      let n = 0
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 2] < 200)) n++
      return n
    })`) as number[]
    expect(inked.every((n) => n > 100), String(inked)).toBe(true)
    expect(await page.evaluate('window.__pwned')).toBeUndefined()
    // The hostile text is shown as text in the error samples.
    const samples = await page.locator('table.errors').innerText()
    expect(samples).toContain(`<script>window.__pwned = 'body'</script>`)
    expect(samples).toContain('[redacted]')
    expect(samples).not.toContain('s3cr3t')
    expect(problems).toEqual([])
    expect(requests).toEqual([])
    mkdirSync(screenshots, { recursive: true })
    const shot = join(screenshots, 'html-report.png')
    await page.screenshot({ path: shot, fullPage: true })
    expect(statSync(shot).size).toBeGreaterThan(10_000)
    await page.close()
  }, 30_000)

  test('each chart drew its own first series, and the stage and threshold marks are in its data', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    await page.goto(`file://${join(dir, HTML_REPORT)}`)
    await page.waitForSelector('body[data-charts]', { timeout: 10_000 })
    // Pixels near each chart's first series colour (p50, requests/s, errors/s, active VUs in
    // report-client.js), which axes, grid and labels never use.
    const seriesInk = await page.evaluate(`[['#2f7ed8', 0], ['#2f7ed8', 1], ['#c42525', 2], ['#4d9a4d', 3]].map(([hex, i]) => {
      const c = document.querySelectorAll('#block-0 canvas')[i]
      const want = [1, 3, 5].map((o) => parseInt(hex.slice(o, o + 2), 16))
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
      let n = 0
      for (let p = 0; p < d.length; p += 4) if (d[p + 3] > 200 && want.every((v, k) => Math.abs(d[p + k] - v) < 40)) n++
      return n
    })`) as number[]
    expect(seriesInk.every((n) => n > 20), String(seriesInk)).toBe(true)
    const data = JSON.parse(await page.locator('#loadspec-data').textContent() ?? '{}') as { blocks: { phases: { label: string }[]; limits: { value: number }[] }[] }
    const block = data.blocks[0]
    expect(block?.phases.map((p) => p.label)).toEqual(expect.arrayContaining(['stage 1 → 3 VUs', 'load ends']))
    expect(block?.limits.map((l) => l.value)).toContain(800)
    await page.close()
  }, 30_000)
})

describe('loadspec report', () => {
  test('writes the HTML of saved results and exits 0; a missing file is exit 2 with its path', async () => {
    const out: string[] = []
    const err: string[] = []
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }
    const target = join(dir, 'cli.html')
    expect(await main(['report', join(dir, 'hostile-server-friends.json'), '-o', target], io)).toBe(0)
    expect(out.join('\n')).toContain(target)
    expect(readFileSync(target, 'utf8')).toContain('<h2>hostile &lt;server&gt;')
    expect(await main(['report', join(dir, 'nope.json')], io)).toBe(2)
    expect(err.join('\n')).toMatch(/nope\.json: cannot read a result/)
  })
})
