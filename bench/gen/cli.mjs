// `loadspec merge` of 16 shards of a 60 s run, and `loadspec run` start-up to its first request
// (beside `k6 run` when k6 is installed). Reads the built package (dist/).
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PerfResult } from '../../dist/index.js'
import { syntheticMetrics } from '../lib/synthetic.mjs'
import { mergeShards } from '../../dist/core/merge-shards.js'
import { parseSegment } from '../../dist/core/segment.js'

const mode = process.argv[2]
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** One shard's result (a realistic size, see lib/synthetic.mjs), as the i-th of n equal segments. */
function shard(i, n) {
  const seg = parseSegment(`${i + 1}/${n}`)
  return new PerfResult({ version: 1, name: 'r', startTime: 0, durationMs: 60_000, metrics: syntheticMetrics(i + 1), thresholds: [
    { key: 'http_req_duration', source: 'p(95)<500', ok: true, actual: 1 }],
    segment: { label: `${i + 1}/${n}`, cycle: seg.cycle, slots: seg.slots }, fingerprint: 'bench', loadspec: '0' }).toJSON()
}

if (mode === 'merge16') {
  const parts = Array.from({ length: 16 }, (_, i) => ({ source: `shard-${i + 1}.json`, data: shard(i, 16) }))
  const times = []
  let merged
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now()
    merged = mergeShards(parts)
    times.push(performance.now() - t0)
  }
  process.stdout.write(`RESULT ${JSON.stringify({ mergeMs: median(times), requests: merged.requests })}\n`)
} else if (mode === 'startup') {
  // From spawning the command to the server seeing its first request.
  const dir = mkdtempSync(join(tmpdir(), 'loadspec-cli-bench-'))
  let seen
  const server = createServer((req, res) => { seen?.(); res.end('ok') })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${server.address().port}/`
  const loadspecScript = join(dir, 'first.k6.mjs')
  writeFileSync(loadspecScript, `export const options = { vus: 1, iterations: 1 }\nexport default async ({ http }) => { await http.get(${JSON.stringify(url)}) }\n`)
  const k6Script = join(dir, 'first.k6.js')
  writeFileSync(k6Script, `import http from 'k6/http'\nexport const options = { vus: 1, iterations: 1 }\nexport default function () { http.get(${JSON.stringify(url)}) }\n`)
  const bin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url))
  const time = async (cmd, args) => {
    const first = new Promise((r) => { seen = r })
    const t0 = performance.now()
    const child = spawn(cmd, args, { stdio: 'ignore' })
    await first
    const ms = performance.now() - t0
    await new Promise((r) => child.on('exit', r))
    return ms
  }
  const runs = { loadspec: [], k6: [] }
  const hasK6 = spawnSync('k6', ['version']).status === 0
  for (let k = 0; k < 5; k++) {
    runs.loadspec.push(await time(process.execPath, [bin, 'run', loadspecScript, '--quiet']))
    if (hasK6) runs.k6.push(await time('k6', ['run', '--quiet', k6Script]))
  }
  server.close()
  process.stdout.write(`RESULT ${JSON.stringify({ loadspecMs: median(runs.loadspec), k6Ms: hasK6 ? median(runs.k6) : null, runs })}\n`)
}
