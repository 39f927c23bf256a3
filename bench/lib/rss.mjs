// RSS over time of a long-running generator: sampled from /proc/<pid>/status, for the soak section.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'

/**
 * Runs `cmd args` (through taskset on `core`: taskset execs, so the pid is the generator's) and
 * samples its resident set every `everyMs`. Resolves with its output, `samples` as
 * [seconds since start, RSS MB] pairs, and `marks`: when the process printed each `MARK <name>`
 * line (seconds since start), so a caller can tell the load from start-up and shut-down.
 */
export function sampleRss(cmd, args, { core, everyMs = 10_000, timeoutMs, env } = {}) {
  return new Promise((resolve, reject) => {
    const argv = core === undefined ? [cmd, ...args] : ['taskset', '-c', String(core), cmd, ...args]
    const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    const t0 = performance.now()
    const samples = []
    const marks = {}
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      for (const m of String(d).matchAll(/^MARK (\S+)$/gm)) marks[m[1]] = (performance.now() - t0) / 1000
      stdout += d
    })
    child.stderr.on('data', (d) => { stderr += d })
    const sample = () => { const mb = rssMb(child.pid); if (mb !== null) samples.push([(performance.now() - t0) / 1000, mb]) }
    const sampler = setInterval(sample, everyMs)
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(sampler)
      clearTimeout(timer)
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}:\n${stderr.slice(-2000)}\n${stdout.slice(-1000)}`))
      resolve({ stdout, stderr, samples, marks })
    })
  })
}

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : null
  } catch { return null }
}

/** Least-squares slope of RSS in MB per minute over the samples taken after `fromSec`. */
export function slopeMbPerMin(samples, fromSec = 60) {
  const xs = samples.filter(([t]) => t >= fromSec)
  if (xs.length < 2) return NaN
  const mt = xs.reduce((a, [t]) => a + t, 0) / xs.length
  const mr = xs.reduce((a, [, r]) => a + r, 0) / xs.length
  const num = xs.reduce((a, [t, r]) => a + (t - mt) * (r - mr), 0)
  const den = xs.reduce((a, [t]) => a + (t - mt) ** 2, 0)
  return (num / den) * 60
}

export const peakMb = (samples) => samples.reduce((a, [, r]) => Math.max(a, r), 0)
