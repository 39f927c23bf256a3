// `npm run bench`: loadspec against wrk, autocannon and bare Node clients, measured side by side in
// one run on this machine (targets on core 0, generators on core 1), written to bench/results.json
// and bench/results.md (a partial run: bench/results.<sections>.*), printed, and copied into README between the bench markers.
// Flags: --quick (short runs, 1 repetition), --only=http,latency,open,memory,pool,grpc,cli,proxy,jest,soak, --no-readme,
// --soak-seconds=N (length of the HTTP soak runs; default 600, 120 with --quick; 0 skips them), --soak-matrix-seconds=N
// (length of each of the soak's protocol × workers runs; default 180, 90 with --quick; 0 skips them),
// --soak-matrix=http:0,ws:2,… (which of those runs; default all).
import { cpus, totalmem } from 'node:os'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { measure, median, resultOf, startServer } from './lib/proc.mjs'
import { startNginx } from './lib/nginx.mjs'
import { peakMb, sampleRss, slopeMbPerMin } from './lib/rss.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = (args.find((a) => a.startsWith('--only=')) ?? '').slice(7).split(',').filter(Boolean)
const want = (s) => only.length === 0 || only.includes(s)
const REPS = quick ? 1 : 3
/** CPU-cost sections (HTTP, gRPC) repeat more: their ratios are within this machine's noise otherwise. */
const COST_REPS = quick ? 1 : 5
const SECS = quick ? 3 : 10
const soakFlag = args.find((a) => a.startsWith('--soak-seconds='))
const SOAK_SECS = soakFlag ? Number(soakFlag.slice(15)) : quick ? 120 : 600
const matrixFlag = args.find((a) => a.startsWith('--soak-matrix-seconds='))
const SOAK_MATRIX_SECS = matrixFlag ? Number(matrixFlag.slice(22)) : quick ? 90 : 180
const matrixPick = (args.find((a) => a.startsWith('--soak-matrix=')) ?? '').slice(14).split(',').filter(Boolean)
const inMatrix = (protocol, workers) => matrixPick.includes(`${protocol}:${workers}`)
const SERVER_CORE = 0
const GEN_CORE = cpus().length > 1 ? 1 : 0
const node = process.execPath
const autocannon = here('../node_modules/autocannon/autocannon.js')
const tmp = here('./tmp/')
rmSync(tmp, { recursive: true, force: true })
mkdirSync(tmp, { recursive: true })

// wrk is an anchor of the HTTP and latency sections only; nginx is the target of most.
const needed = ['taskset', ...(['http', 'open', 'memory', 'pool', 'proxy', 'jest', 'soak'].some(want) ? ['nginx'] : []), ...(['http', 'latency'].some(want) ? ['wrk'] : [])]
const missing = needed.filter((c) => { try { execFileSync('sh', ['-c', `command -v ${c}`]); return false } catch { return true } })
if (!existsSync('/usr/bin/time')) missing.push('/usr/bin/time')
if (missing.length) {
  console.error(`bench: missing ${missing.join(', ')}; install with: apt-get install nginx-light wrk time util-linux`)
  process.exit(2)
}
if (!existsSync(here('../dist/index.js'))) { console.error('bench: run `npm run build` first (npm run bench does)'); process.exit(2) }

const results = { date: new Date().toISOString(), machine: machine(), quick, reps: REPS, seconds: SECS, sections: {} }
const gen = (script, a, opts = {}) => measure(node, [...(opts.nodeFlags ?? []), here(`./gen/${script}`), ...a.map(String)], { core: GEN_CORE, timeoutMs: 180_000 })
const log = (s) => process.stderr.write(s + '\n')

/**
 * Runs each tool once per repetition, interleaved, and keeps per-tool lists of figures. The order
 * rotates each repetition, so no tool always runs first (on a machine cold from the previous section).
 */
async function interleave(tools, reps = REPS) {
  const out = Object.fromEntries(Object.keys(tools).map((k) => [k, []]))
  const names = Object.keys(tools)
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]
      const fig = await tools[name]()
      log(`  ${name} #${r + 1}: ${JSON.stringify(fig)}`)
      out[name].push(fig)
    }
  }
  return out
}
const med = (list, key) => median(list.map((x) => x[key]))
/** Median over repetitions of a's figure ÷ b's in the same repetition: drift between repetitions cancels. */
const pairedRatio = (a, b, key) => median(a.map((x, i) => x[key] / b[i][key]))

/**
 * Cost of `n` requests (or calls) a generator made in `seconds` of load, `failed` of them failed,
 * measured as `m`: CPU µs per request over the whole process (start-up included), and in the
 * steady state (CPU share over the middle of the run ÷ the load's rate). Rate is over the load,
 * not the process's life. A tool whose requests failed is cheaper for the wrong reason: the
 * markdown says so.
 */
function cost(m, n, seconds, failed) {
  const rps = n / seconds
  return { requests: n, failed, rps, cpuUsPerReq: (m.cpu * 1e6) / n, steadyUsPerReq: (m.steadyCpu * 1e6) / rps, maxRssMb: m.maxRssKb / 1024 }
}

// 1. HTTP cost: CPU µs per request against nginx, closed loop, 50 connections, keep-alive.
if (want('http')) {
  log('http: cost per request against nginx (50 connections, keep-alive)')
  const nginx = await startNginx({ core: SERVER_CORE, port: 18080, dir: `${tmp}nginx` })
  try {
    const runs = await interleave({
      wrk: async () => {
        const m = await measure('wrk', ['-t1', '-c50', `-d${SECS}s`, nginx.url], { core: GEN_CORE })
        const [, n, secs] = /(\d+) requests in ([\d.]+)s/.exec(m.stdout)
        const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(m.stdout)?.slice(1).reduce((a, b) => a + Number(b), 0) ?? 0
        return cost(m, Number(n), Number(secs), Number(/Non-2xx or 3xx responses: (\d+)/.exec(m.stdout)?.[1] ?? 0) + socketErrors)
      },
      autocannon: async () => { const m = await measure(node, [autocannon, '-c', '50', '-d', String(SECS), '--json', nginx.url], { core: GEN_CORE }); const j = JSON.parse(m.stdout); return cost(m, j.requests.total, j.duration, j.errors + j.non2xx) },
      'undici Pool.request': async () => { const m = await gen('undici-loop.mjs', [nginx.url, 50, SECS]); const r = resultOf(m.stdout); return cost(m, r.requests, r.seconds, r.failed) },
      loadspec: async () => { const m = await gen('loadspec-http.mjs', [nginx.url, 50, SECS]); const r = resultOf(m.stdout); return cost(m, r.requests, r.seconds, r.failed) },
    }, COST_REPS)
    const base = runs.autocannon
    results.sections.http = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, { rps: med(v, 'rps'), cpuUsPerReq: med(v, 'cpuUsPerReq'), steadyUsPerReq: med(v, 'steadyUsPerReq'),
      vsAutocannon: pairedRatio(v, base, 'cpuUsPerReq'), steadyVsAutocannon: pairedRatio(v, base, 'steadyUsPerReq'), maxRssMb: med(v, 'maxRssMb'), runs: v }]))
  } finally { await nginx.stop() }
}

// 2. Latency truth: a server answering after 10 ms measures itself; each tool's p50/p99 minus it.
if (want('latency')) {
  log('latency: p50/p99 against a 10 ms server that measures itself (10 connections)')
  const srv = await startServer(node, [here('./servers/delay.mjs')], { core: SERVER_CORE })
  const url = `http://127.0.0.1:${srv.port}/`
  const own = async () => (await fetch(`${url}__stats`)).json()
  try {
    await own()
    const diff = (p50, p99, s) => ({ p50, p99, serverP50: s.p50, serverP99: s.p99, p50Over: p50 - s.p50, p99Over: p99 - s.p99 })
    const runs = await interleave({
      wrk: async () => {
        const m = await measure('wrk', ['-t1', '-c10', `-d${SECS}s`, '--latency', url], { core: GEN_CORE })
        const pct = (p) => { const x = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(m.stdout); return Number(x[1]) * ({ us: 0.001, ms: 1, s: 1000 })[x[2]] }
        return diff(pct(50), pct(99), await own())
      },
      autocannon: async () => { const m = await measure(node, [autocannon, '-c', '10', '-d', String(SECS), '--json', url], { core: GEN_CORE }); const j = JSON.parse(m.stdout); return diff(j.latency.p50, j.latency.p99, await own()) },
      loadspec: async () => { const m = await gen('loadspec-http.mjs', [url, 10, SECS]); const r = resultOf(m.stdout); return diff(r.p50, r.p99, await own()) },
    })
    results.sections.latency = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, { p50: med(v, 'p50'), p99: med(v, 'p99'), p50Over: med(v, 'p50Over'), p99Over: med(v, 'p99Over'), serverP50: med(v, 'serverP50'), serverP99: med(v, 'serverP99'), runs: v }]))
  } finally { await srv.stop() }
}

// 3. Open model: 2 000/s for 10 s (rate accuracy, schedule lag), then a 1 s stall: corrected p99
//    against the analytic value, beside a closed-loop tool that cannot see the queue.
if (want('open')) {
  log('open: constant-arrival-rate 2000/s, then a server stall of 1 s')
  const nginx = await startNginx({ core: SERVER_CORE, port: 18081, dir: `${tmp}nginx-open` })
  const rate = 2000
  try {
    const m = await gen('loadspec-rate.mjs', [nginx.url, rate, SECS, 50, 3000])
    const r = resultOf(m.stdout)
    const planned = rate * SECS
    results.sections.openRate = { rate, seconds: SECS, planned, iterations: r.iterations, dropped: r.dropped, errorPct: (Math.abs(r.iterations - planned) / planned) * 100, lagP99: r.lagP99 }
    log(`  rate: ${JSON.stringify(results.sections.openRate)}`)
  } finally { await nginx.stop() }
  const stallMs = 1000
  const stallAt = Math.floor((SECS * 1000) / 2)
  const stall = async (fn) => {
    const srv = await startServer(node, [here('./servers/stall.mjs')], { core: SERVER_CORE, env: { STALL_AT_MS: String(stallAt), STALL_MS: String(stallMs) } })
    try { return await fn(`http://127.0.0.1:${srv.port}/`) } finally { await srv.stop() }
  }
  // Requests arriving evenly through a stall of S in a run of T wait S…0: the top 1 % of all
  // requests are the top (T/S)% of the stalled ones, so p99 = S × (1 − 0.01 × T / S).
  const analyticP99 = stallMs * (1 - (0.01 * SECS * 1000) / stallMs)
  const ls = resultOf((await stall((url) => gen('loadspec-rate.mjs', [url, rate, SECS, 50, 3000]))).stdout)
  const ac = JSON.parse((await stall((url) => measure(node, [autocannon, '-c', '50', '-d', String(SECS), '--json', url], { core: GEN_CORE }))).stdout)
  results.sections.stall = { stallMs, analyticP99, loadspec: { p99: ls.p99, correctedP99: ls.correctedP99, dropped: ls.dropped }, autocannon: { p99: ac.latency.p99, note: 'closed loop, 50 connections' } }
  log(`  stall: ${JSON.stringify(results.sections.stall)}`)
}

// 4. Memory: RSS per idle WebSocket session at 10 000 sessions; heap per idle HTTP VU.
if (want('memory')) {
  log('memory: idle WebSocket sessions and idle HTTP VUs')
  const n = quick ? 2000 : 10_000
  const srv = await startServer(node, [here('./servers/ws-idle.mjs')], { core: SERVER_CORE })
  try {
    const url = `ws://127.0.0.1:${srv.port}/`
    results.sections.wsMemory = resultOf((await gen('ws-idle.mjs', [url, n, quick ? 4 : 8, 'vu'], { nodeFlags: ['--expose-gc'] })).stdout)
    results.sections.wsFanoutMemory = resultOf((await gen('ws-idle.mjs', [url, n, quick ? 4 : 8, 'fanout'], { nodeFlags: ['--expose-gc'] })).stdout)
  } finally { await srv.stop() }
  const nginx = await startNginx({ core: SERVER_CORE, port: 18082, dir: `${tmp}nginx-mem` })
  try {
    const m = await gen('http-idle.mjs', [nginx.url, quick ? 500 : 2000, quick ? 3 : 5], { nodeFlags: ['--expose-gc'] })
    results.sections.httpMemory = resultOf(m.stdout)
  } finally { await nginx.stop() }
  log(`  ${JSON.stringify({ ws: results.sections.wsMemory, fanout: results.sections.wsFanoutMemory, http: results.sections.httpMemory })}`)
}

// 5. Pool: run() → first request with the load in a worker thread; 1 vs 2 workers; merging 100 results.
if (want('pool')) {
  log('pool: first request, workers 1 vs 2, merge of 100 results')
  const first = []
  for (let r = 0; r < 3; r++) first.push(resultOf((await gen('pool.mjs', ['first'])).stdout).firstRequestMs)
  const nginx = await startNginx({ core: SERVER_CORE, port: 18083, dir: `${tmp}nginx-pool` })
  let scale
  try {
    const runs = await interleave({
      '1 worker': async () => resultOf((await gen('pool.mjs', ['throughput', nginx.url, quick ? 3 : 5, 1])).stdout),
      '2 workers': async () => resultOf((await gen('pool.mjs', ['throughput', nginx.url, quick ? 3 : 5, 2])).stdout),
    })
    scale = { oneWorkerRps: med(runs['1 worker'], 'rps'), twoWorkersRps: med(runs['2 workers'], 'rps') }
  } finally { await nginx.stop() }
  const merge = resultOf((await gen('merge.mjs', [])).stdout)
  results.sections.pool = { firstRequestMs: median(first), firstRequestRuns: first, ...scale, scaling: scale.twoWorkersRps / scale.oneWorkerRps, mergeMs: merge.mergeMs }
  log(`  ${JSON.stringify(results.sections.pool)}`)
}

// 6. gRPC: CPU per unary call, loadspec against a bare @grpc/grpc-js loop.
if (want('grpc')) {
  log('grpc: CPU per unary call (50 concurrent)')
  const srv = await startServer(node, [here('./servers/grpc-echo.mjs')], { core: SERVER_CORE })
  const address = `127.0.0.1:${srv.port}`
  try {
    const call = async (script) => { const m = await gen(script, [address, 50, SECS]); const r = resultOf(m.stdout); return cost(m, r.calls, r.seconds, r.failed) }
    const runs = await interleave({ 'grpc-js bare': () => call('grpc-bare.mjs'), loadspec: () => call('grpc-loadspec.mjs') }, COST_REPS)
    const bare = runs['grpc-js bare']
    results.sections.grpc = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, { callsPerSec: med(v, 'rps'), cpuUsPerCall: med(v, 'cpuUsPerReq'), steadyUsPerCall: med(v, 'steadyUsPerReq'),
      vsBare: pairedRatio(v, bare, 'cpuUsPerReq'), steadyVsBare: pairedRatio(v, bare, 'steadyUsPerReq'), runs: v }]))
  } finally { await srv.stop() }
}

// 7. CLI: merging 16 shards of a 60 s run; `loadspec run` start-up to its first request (k6 beside it when installed).
if (want('cli')) {
  log('cli: merge of 16 shards, start-up to first request')
  const merge = resultOf((await gen('cli.mjs', ['merge16'])).stdout)
  const startup = resultOf((await gen('cli.mjs', ['startup'])).stdout)
  results.sections.cli = { merge16Ms: merge.mergeMs, startupMs: startup.loadspecMs, k6StartupMs: startup.k6Ms, startupRuns: startup.runs }
  log(`  ${JSON.stringify(results.sections.cli)}`)
}

// 8. Fault proxy: the path through it with no toxic against direct, in one run. The proxy runs in
//    its own process on the target's core (it is part of the way to the target); its CPU comes
//    from its own process.cpuUsage() before and after each run.
if (want('proxy')) {
  log('proxy: through the fault proxy (no toxic) against direct: open model 2000/s, closed loop 50 connections')
  const nginx = await startNginx({ core: SERVER_CORE, port: 18084, dir: `${tmp}nginx-proxy` })
  const proxy = await startServer(node, [here('./servers/fault-proxy.mjs'), 18084], { core: SERVER_CORE })
  const proxyUrl = `http://127.0.0.1:${proxy.port}/`
  const proxyCpu = () => new Promise((resolve) => {
    let buf = ''
    const onData = (d) => {
      buf += d
      const m = /CPU (\d+) (\d+)\n/.exec(buf)
      if (!m) return
      proxy.child.stdout.off('data', onData)
      resolve((Number(m[1]) + Number(m[2])) / 1e6)
    }
    proxy.child.stdout.on('data', onData)
    proxy.child.kill('SIGUSR2')
  })
  /** A generator run against `url`, with the proxy's CPU µs per request when it went through it. */
  const through = async (script, args, viaProxy) => {
    const c0 = viaProxy ? await proxyCpu() : 0
    const r = resultOf((await gen(script, [viaProxy ? proxyUrl : nginx.url, ...args])).stdout)
    const c1 = viaProxy ? await proxyCpu() : 0
    return { ...r, proxyCpuUsPerReq: viaProxy ? ((c1 - c0) * 1e6) / r.requests : undefined }
  }
  const rate = 2000
  try {
    const open = await interleave({
      direct: () => through('loadspec-rate.mjs', [rate, SECS, 50, 3000], false),
      proxy: () => through('loadspec-rate.mjs', [rate, SECS, 50, 3000], true),
    })
    const closed = await interleave({
      direct: async () => { const r = await through('loadspec-http.mjs', [50, SECS], false); return { ...r, rps: r.requests / r.seconds } },
      proxy: async () => { const r = await through('loadspec-http.mjs', [50, SECS], true); return { ...r, rps: r.requests / r.seconds } },
    })
    /** Median over repetitions of the proxied figure minus the direct one of the same repetition. */
    const pairedDiff = (runs, key) => median(runs.proxy.map((x, i) => x[key] - runs.direct[i][key]))
    results.sections.proxy = {
      rate,
      open: { directP50: med(open.direct, 'p50'), proxyP50: med(open.proxy, 'p50'), addedP50: pairedDiff(open, 'p50'), addedP99: pairedDiff(open, 'p99'),
        proxyCpuUsPerReq: med(open.proxy, 'proxyCpuUsPerReq'), runs: open },
      closed: { directRps: med(closed.direct, 'rps'), proxyRps: med(closed.proxy, 'rps'), addedP50: pairedDiff(closed, 'p50'),
        proxyCpuUsPerReq: med(closed.proxy, 'proxyCpuUsPerReq'), runs: closed },
    }
    log(`  ${JSON.stringify({ open: { ...results.sections.proxy.open, runs: undefined }, closed: { ...results.sections.proxy.closed, runs: undefined } })}`)
  } finally { await proxy.stop(); await nginx.stop() }
}

// 9. The runner must not cost the load anything: the same perf block under Jest and under Vitest.
if (want('jest')) {
  log('jest: the same perf block under Jest and Vitest (50 VUs, one worker, nginx)')
  const nginx = await startNginx({ core: SERVER_CORE, port: 18094, dir: `${tmp}nginx-jest` })
  try {
    const runs = await interleave({ vitest: () => runnerCost('vitest', nginx.url), jest: () => runnerCost('jest', nginx.url) }, COST_REPS)
    const v = runs.vitest
    results.sections.jest = Object.fromEntries(Object.entries(runs).map(([k, list]) => [k, { rps: med(list, 'rps'), loadUsPerReq: med(list, 'loadUsPerReq'),
      steadyUsPerReq: med(list, 'steadyUsPerReq'), loadVsVitest: pairedRatio(list, v, 'loadUsPerReq'), steadyVsVitest: pairedRatio(list, v, 'steadyUsPerReq'), runs: list }]))
    log(`  jest / vitest: load thread ${results.sections.jest.jest.loadVsVitest.toFixed(3)}, process steady state ${results.sections.jest.jest.steadyVsVitest.toFixed(3)}`)
  } finally { await nginx.stop() }
}

// 10. Soak: RSS over a long closed loop at full speed (50 VUs, one worker thread as a perf block
//    has, live progress on), sampled every 10 s, beside autocannon over the same time: memory
//    must not grow with the run's length (slope after the first minute, when V8's young
//    generation has grown to its size for this allocation rate).
if (want('soak')) {
  if (SOAK_SECS > 0) log(`soak: ${SOAK_SECS} s closed loop against nginx, RSS every 10 s (loadspec, then autocannon)`)
  const nginx = await startNginx({ core: SERVER_CORE, port: 18084, dir: `${tmp}nginx-soak` })
  const figures = (all, marks, requests, seconds) => {
    // Only samples taken during the load (autocannon prints no marks: its whole life is the load).
    const from = marks['load-start'] ?? 0
    const to = marks['load-end'] ?? Infinity
    const samples = all.filter(([t]) => t >= from && t <= to).map(([t, mb]) => [t - from, mb])
    return { seconds, rps: requests / seconds, slopeMbPerMin: slopeMbPerMin(samples, 60), peakRssMb: peakMb(samples),
      rssAt60sMb: samples.find(([t]) => t >= 60)?.[1], lastRssMb: samples.at(-1)?.[1], samples: samples.map(([t, mb]) => [Math.round(t), Math.round(mb * 10) / 10]) }
  }
  try {
    results.sections.soak = {}
    if (SOAK_SECS > 0) {
      const ls = await sampleRss(node, [here('./gen/soak.mjs'), 'http', nginx.url, 1, SOAK_SECS], { core: GEN_CORE, timeoutMs: (SOAK_SECS + 120) * 1000 })
      const r = resultOf(ls.stdout)
      const loadspec = { ...figures(ls.samples, ls.marks, r.requests, r.seconds), failed: Math.round(r.errorRate * r.requests), resultBytes: r.resultBytes, timelineSeconds: r.timelineSeconds }
      log(`  loadspec: ${JSON.stringify({ ...loadspec, samples: undefined })}`)
      const ac = await sampleRss(node, [autocannon, '-c', '50', '-d', String(SOAK_SECS), '--json', nginx.url], { core: GEN_CORE, timeoutMs: (SOAK_SECS + 120) * 1000 })
      const j = JSON.parse(ac.stdout)
      const autocannonFig = { ...figures(ac.samples, {}, j.requests.total, j.duration), failed: j.errors + j.non2xx }
      log(`  autocannon: ${JSON.stringify({ ...autocannonFig, samples: undefined })}`)
      results.sections.soak = { loadspec, autocannon: autocannonFig }
    }
    // Every protocol with 0, 1 and 2 workers (HTTP with one worker is the long run above unless
    // --soak-matrix picks it): long enough for a slope after the first minute. WebSocket and gRPC
    // go to echo servers.
    if (SOAK_MATRIX_SECS > 0) {
      log(`soak matrix: HTTP, WebSocket and gRPC with 0, 1 and 2 workers, ${SOAK_MATRIX_SECS} s each`)
      results.sections.soak.matrix = []
      for (const protocol of ['http', 'ws', 'grpc']) {
        const counts = [0, 1, 2].filter((w) => matrixPick.length ? inMatrix(protocol, w) : !(protocol === 'http' && w === 1))
        if (counts.length === 0) continue
        const srv = protocol === 'http' ? undefined : await startServer(node, [here(`./servers/${protocol}-echo.mjs`)], { core: SERVER_CORE })
        const target = protocol === 'http' ? nginx.url : protocol === 'ws' ? `ws://127.0.0.1:${srv.port}/` : `127.0.0.1:${srv.port}`
        try {
          for (const workers of counts) {
            const m = await sampleRss(node, [here('./gen/soak.mjs'), protocol, target, workers, SOAK_MATRIX_SECS], { core: GEN_CORE, timeoutMs: (SOAK_MATRIX_SECS + 120) * 1000 })
            const mr = resultOf(m.stdout)
            const row = { protocol, workers, ...figures(m.samples, m.marks, mr.requests, mr.seconds), failed: Math.round(mr.errorRate * mr.requests), resultBytes: mr.resultBytes }
            log(`  ${JSON.stringify({ ...row, samples: undefined })}`)
            results.sections.soak.matrix.push(row)
          }
        } finally { await srv?.stop() }
      }
    }
  } finally { await nginx.stop() }
}

rmSync(tmp, { recursive: true, force: true })
const md = markdown(results)
// A partial run (--only, --quick) writes beside the full run's figures, never over them.
const stem = only.length ? `./results.${only.join('-')}` : quick ? './results.quick' : './results'
writeFileSync(here(`${stem}.json`), JSON.stringify(results, null, 2) + '\n')
writeFileSync(here(`${stem}.md`), md + '\n')
process.stdout.write(md + '\n')
if (!args.includes('--no-readme') && !quick && only.length === 0) updateReadme(md)

/**
 * One run of bench/runner's block under `runner` (a project in tmp whose node_modules/loadspec is
 * this package, built): CPU per request of the load's worker thread (its own CPU time, from the
 * result's generator health) and of the whole runner process in its steady state (from /proc).
 * Both runners keep the test in their own process (one Jest file runs in band; Vitest on its
 * threads pool), so /proc sees the test's threads.
 */
async function runnerCost(runner, url) {
  const dir = `${tmp}runner-${runner}/`
  if (!existsSync(dir)) {
    mkdirSync(`${dir}node_modules`, { recursive: true })
    symlinkSync(here('..'), `${dir}node_modules/loadspec`, 'dir')
    writeFileSync(`${dir}package.json`, JSON.stringify({ name: `bench-${runner}`, private: true, type: 'module' }))
    const block = readFileSync(here('./runner/block.ts.tpl'), 'utf8').replace('__RUNNER__', `loadspec/${runner}`)
    writeFileSync(`${dir}block.test.ts`, block)
    writeFileSync(`${dir}vitest.config.mjs`, `import { loadspec } from 'loadspec/vitest'\nexport default { plugins: [loadspec({ reportDir: ${JSON.stringify(`${dir}out`)}, summary: false, progress: false })], test: { include: ['block.test.ts'], testTimeout: 120000 } }\n`)
    writeFileSync(`${dir}jest.config.cjs`, `module.exports = { rootDir: __dirname, testEnvironment: 'node', testMatch: ['<rootDir>/block.test.ts'],
  transform: { '\\\\.ts$': [${JSON.stringify(here('../node_modules/@swc/jest/index.js'))}, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  reporters: [['loadspec/jest/reporter', { reportDir: ${JSON.stringify(`${dir}out`)}, summary: false, progress: false }]] }\n`)
  }
  rmSync(`${dir}out`, { recursive: true, force: true })
  const bin = runner === 'jest' ? [here('../node_modules/jest/bin/jest.js'), '--config', `${dir}jest.config.cjs`] : [here('../node_modules/vitest/vitest.mjs'), 'run', '--root', dir, '--config', `${dir}vitest.config.mjs`, '--pool', 'threads']
  const m = await measure(node, bin, { core: GEN_CORE, timeoutMs: 180_000, env: { CI: 'true', BENCH_URL: url, BENCH_SECONDS: String(SECS), LOADSPEC_PROFILE: '' } })
  const { PerfResult } = await import(here('../dist/index.js'))
  const r = new PerfResult(JSON.parse(readFileSync(`${dir}out/runner-cost.json`, 'utf8')))
  const seconds = r.duration / 1000
  const loadCpu = r.generator.workers.reduce((a, w) => a + w.cpu, 0) * seconds
  return { requests: r.requests, failed: Math.round(r.requests * r.errorRate), rps: r.requests / seconds, loadUsPerReq: (loadCpu * 1e6) / r.requests,
    steadyUsPerReq: (m.steadyCpu * 1e6) / (r.requests / seconds), processCpuS: m.cpu }
}

function machine() {
  const c = cpus()
  let os = ''
  try { os = readFileSync('/etc/os-release', 'utf8').match(/PRETTY_NAME="([^"]+)"/)?.[1] ?? '' } catch { /* not Linux */ }
  return { cpu: c[0]?.model.trim(), cores: c.length, memGb: Math.round(totalmem() / 2 ** 30), os, node: process.version, wrk: version('wrk', ['-v']), nginx: version('nginx', ['-v']) }
}

function version(cmd, a) {
  // nginx -v prints to stderr and exits 0; wrk -v exits 1: the first line either way.
  const r = spawnSync(cmd, a, { encoding: 'utf8' })
  return `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').map((l) => l.trim()).find(Boolean) ?? ''
}

function markdown(r) {
  const f = (v, d = 1) => (v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(d))
  const m = r.machine
  const out = [`Measured ${r.date.slice(0, 10)} on ${m.cores} × ${m.cpu}, ${m.memGb} GiB, ${m.os}, Node ${m.node}; target on core ${SERVER_CORE}, generator on core ${GEN_CORE}${r.quick ? ' (quick run: one repetition of each, 3 s runs)' : ''}.`, '']
  const s = r.sections
  if (s.http) {
    out.push(`**HTTP cost** (nginx, closed loop, 50 keep-alive connections, one generator thread; median of ${s.http.autocannon?.runs.length ?? '?'}; CPU per request over the whole process, start-up included, and in the steady state, the middle 60 % of the run; × autocannon is the median of the ratios within each repetition)`, '',
      '| generator | req/s | CPU µs / request | × autocannon | steady µs / request | × autocannon | max RSS MB |', '|---|---:|---:|---:|---:|---:|---:|')
    for (const [k, v] of Object.entries(s.http)) {
      out.push(`| ${k} | ${f(v.rps, 0)} | ${f(v.cpuUsPerReq, 2)} | ${f(v.vsAutocannon, 2)} | ${f(v.steadyUsPerReq, 2)} | ${f(v.steadyVsAutocannon, 2)} | ${f(v.maxRssMb, 0)} |`)
    }
    out.push(...failures(s.http), '')
  }
  if (s.latency) {
    out.push('**Latency truth** (server answers after 10 ms and measures itself; 10 connections)', '',
      '| generator | p50 ms | p99 ms | p50 − server\'s | p99 − server\'s |', '|---|---:|---:|---:|---:|')
    for (const [k, v] of Object.entries(s.latency)) out.push(`| ${k} | ${f(v.p50, 3)} | ${f(v.p99, 3)} | ${f(v.p50Over, 3)} | ${f(v.p99Over, 3)} |`)
    out.push('')
  }
  if (s.openRate) {
    const o = s.openRate
    out.push(`**Open model**: constant-arrival-rate ${o.rate}/s for ${o.seconds} s: ${o.iterations} of ${o.planned} iterations (${f(o.errorPct, 3)} % off), ${o.dropped} dropped, schedule lag p99 ${f(o.lagP99, 3)} ms.`)
  }
  if (s.stall) {
    const t = s.stall
    out.push(`Server stalls ${t.stallMs} ms mid-run: analytic p99 ${f(t.analyticP99, 0)} ms; loadspec p99 ${f(t.loadspec.p99, 0)} ms (corrected ${f(t.loadspec.correctedP99, 0)} ms); autocannon (closed loop) p99 ${f(t.autocannon.p99, 0)} ms.`, '')
  }
  if (s.wsMemory || s.httpMemory) {
    const w = s.wsFanoutMemory
    out.push(`**Memory**: ${s.wsMemory ? `${s.wsMemory.sessions} idle WebSocket sessions, one per VU (VU + context + driver + socket): ${f(s.wsMemory.rssPerSessionKb)} KB RSS and ${f(s.wsMemory.heapPerSessionKb)} KB heap each, all open in ${f(s.wsMemory.openMs / 1000, 2)} s` : ''}` +
      `${w ? `; ${w.sessions} idle sessions held by one VU (ws.fanout, driver + socket): ${f(w.rssPerSessionKb)} KB RSS and ${f(w.heapPerSessionKb)} KB heap each` : ''}` +
      `${s.httpMemory ? `; ${s.httpMemory.vus} idle HTTP VUs (after one request): ${f(s.httpMemory.heapPerVuKb)} KB heap, ${f(s.httpMemory.rssPerVuKb)} KB RSS each` : ''}.`, '')
  }
  if (s.pool) {
    const p = s.pool
    out.push(`**Pool**: run() to first request with the load in a worker thread ${f(p.firstRequestMs, 0)} ms; 1 → 2 workers ${f(p.oneWorkerRps, 0)} → ${f(p.twoWorkersRps, 0)} req/s (×${f(p.scaling, 2)}; both workers share the generator's one core here); merging 100 results ${f(p.mergeMs, 1)} ms.`, '')
  }
  if (s.cli) {
    const c = s.cli
    out.push(`**CLI**: \`loadspec merge\` of 16 shards of a 60 s run (thresholds judged again) ${f(c.merge16Ms, 1)} ms; \`loadspec run\` start-up to its first request ${f(c.startupMs, 0)} ms` +
      `${c.k6StartupMs === null ? ' (k6 not installed here, so no k6 row)' : `; \`k6 run\` ${f(c.k6StartupMs, 0)} ms`}.`, '')
  }
  if (s.jest) {
    out.push(`**Jest vs Vitest** (the same perf block, 50 VUs on one worker thread against nginx for ${r.seconds} s; median of ${s.jest.vitest?.runs.length ?? '?'}; CPU per request of the load's thread, and of the runner's whole process in its steady state; × Vitest is the median of the ratios within each repetition, target ≤ 1.05)`, '',
      '| runner | req/s | load thread µs / request | × Vitest | process steady µs / request | × Vitest |', '|---|---:|---:|---:|---:|---:|')
    for (const [k, v] of Object.entries(s.jest)) out.push(`| ${k} | ${f(v.rps, 0)} | ${f(v.loadUsPerReq, 2)} | ${f(v.loadVsVitest, 3)} | ${f(v.steadyUsPerReq, 2)} | ${f(v.steadyVsVitest, 3)} |`)
    out.push(...failures(s.jest), '')
  }
  if (s.grpc) {
    out.push(`**gRPC** (unary, 50 concurrent; median of ${s.grpc['grpc-js bare']?.runs.length ?? '?'}; CPU per call over the whole process and in the steady state)`, '', '| client | calls/s | CPU µs / call | × bare | steady µs / call | × bare |', '|---|---:|---:|---:|---:|---:|')
    for (const [k, v] of Object.entries(s.grpc)) out.push(`| ${k} | ${f(v.callsPerSec, 0)} | ${f(v.cpuUsPerCall, 1)} | ${f(v.vsBare, 2)} | ${f(v.steadyUsPerCall, 1)} | ${f(v.steadyVsBare, 2)} |`)
    out.push(...failures(s.grpc))
  }
  if (s.proxy) {
    const o = s.proxy.open
    const c = s.proxy.closed
    out.push('', `**Fault proxy** (no toxic, in its own process on the target's core; median of ${o.runs.direct.length}, added figures are medians of the differences within each repetition): ` +
      `open model ${s.proxy.rate}/s p50 ${f(o.directP50, 3)} → ${f(o.proxyP50, 3)} ms (+${f(o.addedP50, 3)} ms; p99 +${f(o.addedP99, 3)} ms), proxy CPU ${f(o.proxyCpuUsPerReq, 1)} µs per request; ` +
      `closed loop, 50 connections: ${f(c.directRps, 0)} → ${f(c.proxyRps, 0)} req/s, p50 +${f(c.addedP50, 3)} ms, proxy CPU ${f(c.proxyCpuUsPerReq, 1)} µs per request.`)
  }
  if (s.soak) {
    const { loadspec: l, autocannon: a } = s.soak
    const mb = (bytes) => bytes / 2 ** 20
    if (l) out.push('', `**Soak** (nginx, closed loop, 50 VUs for ${f(l.seconds / 60, 0)} min, loadspec with one worker thread and live progress; RSS sampled every 10 s; slope by least squares after the first minute)`, '',
      '| generator | req/s | RSS at 1 min MB | RSS at end MB | peak RSS MB | slope MB / min | result JSON |', '|---|---:|---:|---:|---:|---:|---:|',
      `| loadspec | ${f(l.rps, 0)} | ${f(l.rssAt60sMb, 0)} | ${f(l.lastRssMb, 0)} | ${f(l.peakRssMb, 0)} | ${f(l.slopeMbPerMin, 2)} | ${f(mb(l.resultBytes), 1)} MB (${l.timelineSeconds} timeline seconds) |`,
      `| autocannon | ${f(a.rps, 0)} | ${f(a.rssAt60sMb, 0)} | ${f(a.lastRssMb, 0)} | ${f(a.peakRssMb, 0)} | ${f(a.slopeMbPerMin, 2)} | – |`)
    if (s.soak.matrix?.length) {
      const names = { http: 'HTTP (nginx)', ws: 'WebSocket (echo)', grpc: 'gRPC unary (echo)' }
      out.push('', `Every protocol and worker count (${f(s.soak.matrix[0].seconds / 60, 0)} min each, live progress on):`, '',
        '| load | workers | req/s | RSS at 1 min MB | RSS at end MB | peak RSS MB | slope MB / min | result JSON |', '|---|---:|---:|---:|---:|---:|---:|---:|',
        ...s.soak.matrix.map((m) => `| ${names[m.protocol]} | ${m.workers} | ${f(m.rps, 0)} | ${f(m.rssAt60sMb, 0)} | ${f(m.lastRssMb, 0)} | ${f(m.peakRssMb, 0)} | ${f(m.slopeMbPerMin, 2)} | ${m.resultBytes ? `${f(mb(m.resultBytes), 1)} MB` : '–'} |`))
    }
  }
  return out.join('\n')
}

/** A warning line per tool whose requests failed in some run (its cost is then not comparable). */
function failures(section) {
  return Object.entries(section).filter(([, v]) => v.runs.some((x) => x.failed > 0))
    .map(([k, v]) => `\n**Warning:** ${k} had failed requests (${v.runs.map((x) => x.failed).join(', ')} per run); its cost is not comparable.`)
}

function updateReadme(md) {
  const path = here('../README.md')
  const text = readFileSync(path, 'utf8')
  const start = '<!-- bench:start -->'
  const end = '<!-- bench:end -->'
  const i = text.indexOf(start)
  const j = text.indexOf(end)
  if (i < 0 || j < i) { log('README has no bench markers; table not copied'); return }
  writeFileSync(path, `${text.slice(0, i + start.length)}\n${md}\n${text.slice(j)}`)
}
