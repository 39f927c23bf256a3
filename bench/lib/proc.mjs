// Child processes for benchmarks: pinned to a core with taskset, CPU and RSS read by GNU time.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'

const TIME_TAG = '__BENCH_TIME__'

/** Clock ticks per second of /proc/<pid>/stat's CPU times (`getconf CLK_TCK`: 100 on Linux). */
const CLK_TCK = 100
const SAMPLE_MS = 200

/**
 * Runs `cmd args` on `core` and returns its output with wall, user and sys seconds and max RSS (KB).
 * The generator's whole process is measured, every thread included. Its CPU is also sampled from
 * /proc every 200 ms: `steadyCpu` is its CPU share (CPU seconds per second) over the middle 60 % of
 * the run, without start-up and shut-down (the benchmark method's steady-state figure).
 */
export function measure(cmd, args, { core, env, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout kills the generator, not only GNU time above it.
    const child = spawn('/usr/bin/time', ['-f', `${TIME_TAG} %e %U %S %M`, ...pinned(cmd, args, core)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), timeoutMs)
    const samples = []
    const sampler = setInterval(() => { const t = cpuTicks(child.pid); if (t !== null) samples.push([performance.now(), t]) }, SAMPLE_MS)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      clearInterval(sampler)
      const m = new RegExp(`${TIME_TAG} ([\\d.]+) ([\\d.]+) ([\\d.]+) (\\d+)`).exec(stderr)
      if (code !== 0 || !m) return reject(new Error(`${cmd} exited ${code}:\n${stderr.slice(-2000)}\n${stdout.slice(-1000)}`))
      resolve({ stdout, stderr, wall: +m[1], user: +m[2], sys: +m[3], maxRssKb: +m[4], cpu: +m[2] + +m[3], steadyCpu: middleShare(samples) })
    })
  })
}

/** `cmd args`, run on `core` through taskset when one is given. */
function pinned(cmd, args, core) {
  return core === undefined ? [cmd, ...args] : ['taskset', '-c', String(core), cmd, ...args]
}

/** The JSON a generator script prints on its `RESULT` line. */
export function resultOf(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (!line) throw new Error(`no RESULT line in:\n${stdout.slice(-1000)}`)
  return JSON.parse(line.slice(7))
}

/** Starts a long-running server on `core`; resolves once it prints `READY <port>`. */
export function startServer(cmd, args, { core, env } = {}) {
  return new Promise((resolve, reject) => {
    const [exe, ...rest] = pinned(cmd, args, core)
    const child = spawn(exe, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    let buf = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} did not print READY in 15 s`)) }, 15_000)
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`${cmd} exited ${code} before READY`)))
    child.stdout.on('data', (d) => {
      buf += d
      const m = /READY (\d+)/.exec(buf)
      if (!m) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({ port: Number(m[1]), child, stop: () => stop(child) })
    })
  })
}

export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 3000).unref()
  })
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

/** user + sys clock ticks of the process GNU time started (its only child); null before it exists. */
function cpuTicks(timePid) {
  try {
    const pid = readFileSync(`/proc/${timePid}/task/${timePid}/children`, 'utf8').trim().split(' ')[0]
    if (!pid) return null
    // Fields after the command name (which may hold spaces): utime and stime are the 14th and 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(f[11]) + Number(f[12])
  } catch { return null }
}

/** CPU seconds per second between the samples nearest 20 % and 80 % of the sampled time. */
function middleShare(samples) {
  if (samples.length < 5) return NaN
  const t0 = samples[0][0]
  const span = samples[samples.length - 1][0] - t0
  const near = (t) => samples.reduce((best, x) => (Math.abs(x[0] - t) < Math.abs(best[0] - t) ? x : best))
  const a = near(t0 + 0.2 * span)
  const b = near(t0 + 0.8 * span)
  return (b[1] - a[1]) / CLK_TCK / ((b[0] - a[0]) / 1000)
}
