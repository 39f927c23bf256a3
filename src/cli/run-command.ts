/**
 * `loadspec run <file…>`, as `k6 run`: a file is either a k6-shaped module (`export const
 * options`, `export default` VU function, optional `setup` / `teardown` exports) or a test file
 * whose `perf()` blocks are run (`--grep` picks them by name). Test hooks and `test()` bodies do
 * not run here: a block gets its target from `setup()` or the environment. Exit codes are k6's.
 */
import { basename, resolve } from 'node:path'
import { AbortedError, CliError } from '../errors.ts'
import { prepare, type RunOptions } from '../core/run.ts'
import { run } from '../harness/run.ts'
import { executeWithHooks, hooksFor } from '../harness/lifecycle.ts'
import { applyOverrides } from '../core/overrides.ts'
import { DEFAULT_WORKERS, executeInput, runnerFor } from '../harness/runner.ts'
import { parseDuration } from '../core/duration.ts'
import type { PerfOptions, VuFunction } from '../core/options.ts'
import type { PerfResult } from '../metrics/result.ts'
import { ANY_RUNNER_STUB, bundleModuleExports } from '../pool/bundle.ts'
import { workerRegistry, type Definition } from '../pool/registry.ts'
import { digest } from '../report/summary.ts'
import { formatBlock } from '../report/table.ts'
import { parseOutSpecs, writeOutputs, type OutSpecs } from './outputs.ts'
import { EXIT } from './exit-codes.ts'
import type { Io } from './io.ts'

export interface RunFlags {
  profile?: string
  vus?: string
  duration?: string
  iterations?: string
  rate?: string
  workers?: string
  grep?: string
  out?: string | string[]
  summaryExport?: string
  segment?: string
  executionSegment?: string
  executionSegmentSequence?: string
  startAt?: string
  quiet?: boolean
}

interface Job {
  readonly name: string
  readonly options: RunOptions<unknown>
  /** The test file an inline perf() block comes from (its workers load the file themselves). */
  readonly file?: string
}

export async function runCommand(files: readonly string[], flags: RunFlags, io: Io): Promise<number> {
  const overrides = flagOverrides(flags)
  const outs = parseOutSpecs(flags.out)
  const jobs: Job[] = []
  for (const file of files) jobs.push(...(await jobsOf(resolve(file), flags.grep)))
  if (jobs.length === 0) throw new CliError(`no perf block ${flags.grep ? `matches --grep ${JSON.stringify(flags.grep)}` : 'found'} in ${files.join(', ')}`)
  if (jobs.length > 1 && (outs.json || outs.csv || outs.html || outs.markdown || flags.summaryExport)) {
    throw new CliError(`--out and --summary-export write one run's results, but ${jobs.length} blocks were selected (${jobs.map((j) => j.name).join(', ')}); pick one with --grep`)
  }
  const stop = new AbortController()
  const onSignal = () => stop.abort(new AbortedError('interrupted (SIGINT)'))
  process.once('SIGINT', onSignal)
  let worst: number = EXIT.ok
  try {
    for (const job of jobs) {
      const result = await runJob(job, overrides, stop.signal, progress(flags, io))
      report(result, outs, flags.summaryExport, io)
      if (stop.signal.aborted) return EXIT.externalAbort
      if (!result.thresholdsPassed) worst = EXIT.thresholdsFailed
    }
    return worst
  } finally {
    process.removeListener('SIGINT', onSignal)
  }
}

/** A k6-shaped module goes through run(); an inline perf() block runs as its test would, in workers that load its file. */
async function runJob(job: Job, overrides: Overrides, signal: AbortSignal, live: Pick<RunOptions<unknown>, 'onProgress'>): Promise<PerfResult> {
  const { profile, startAt, segment, executionSegment, executionSegmentSequence, ...shape } = overrides.set as RunOptions<unknown>
  const changes: Record<string, unknown> = { ...shape, ...Object.fromEntries(overrides.drop.filter((k) => !(k in shape)).map((k) => [k, null])) }
  const options = applyOverrides(job.options, changes)
  if (!job.file) return run({ ...options, profile, startAt, segment, executionSegment, executionSegmentSequence, name: job.name, signal, ...live })
  const { fn, ...blockOptions } = options as RunOptions<unknown> & { fn: VuFunction<unknown> }
  const block = prepare(job.name, blockOptions as PerfOptions<unknown>, fn, 'perf', profile, { segment, executionSegment, executionSegmentSequence })
  // As under the test runner, an inline perf() block's load runs off the main thread, in workers
  // that load its file (written for Vitest or Jest: both runners' stubs stand in).
  const runner = runnerFor(block, blockOptions as PerfOptions<unknown>, { file: job.file, overrides: changes, stub: ANY_RUNNER_STUB,
    defaultWorkers: DEFAULT_WORKERS, noFile: `"${job.name}" has no file for workers to load` })
  const wiring = hooksFor(block, options as PerfOptions<unknown>)
  const input = executeInput(block, options as PerfOptions<unknown>, { runner, signal, startAt, onProgress: live.onProgress, services: wiring.services })
  return executeWithHooks(wiring.hooks, { plan: block.plan, options: options as PerfOptions<unknown>, signal }, input)
}

interface Overrides {
  readonly set: Partial<RunOptions<unknown>>
  readonly drop: readonly string[]
}

function report(result: PerfResult, outs: OutSpecs, summaryExport: string | undefined, io: Io): void {
  io.out(formatBlock(digest(result)))
  for (const path of writeOutputs(result, outs, summaryExport)) io.out(`wrote ${path}`)
}

/** The blocks a file holds: one k6-shaped module, or the perf() blocks of a test file. */
async function jobsOf(file: string, grep: string | undefined): Promise<Job[]> {
  // The bundle installs a fresh registry before the file runs, so perf() blocks record themselves.
  const mod = (await import(await bundleModuleExports(file, ANY_RUNNER_STUB))) as Record<string, unknown>
  if (typeof mod['default'] === 'function') {
    const name = typeof mod['name'] === 'string' ? mod['name'] : basename(file).replace(/\.[cm]?[jt]s$/, '')
    if (grep && !name.includes(grep)) return []
    const options = (mod['options'] ?? {}) as PerfOptions<unknown>
    return [{ name, options: { ...options, fn: file, ...optionalFn('setup', mod['setup']), ...optionalFn('teardown', mod['teardown']) } as RunOptions<unknown> }]
  }
  const defs = [...(workerRegistry()?.values() ?? [])]
  const broken = defs.find((d): d is Error => d instanceof Error)
  if (broken) throw broken
  const blocks = defs.filter((d): d is Definition => !(d instanceof Error) && d.kind === 'perf')
  if (blocks.length === 0) throw new CliError(`${file} has no default export (a k6-shaped module's VU function) and defines no perf() block`)
  return blocks.filter((d) => !grep || d.name.includes(grep)).map((d) => ({ name: d.name, options: { ...d.options, fn: d.fn as VuFunction<unknown> }, file }))
}

function optionalFn(key: 'setup' | 'teardown', value: unknown): Record<string, unknown> {
  if (value === undefined) return {}
  if (typeof value !== 'function') throw new CliError(`the module's "${key}" export must be a function`)
  return { [key]: value }
}

/** k6's shortcut flags over the file's options (`set`), each checked and named in its error; `drop`: options they replace. */
function flagOverrides(flags: RunFlags): Overrides {
  const drop: string[] = []
  const o: Record<string, unknown> = {}
  const whole = (flag: string, raw: string | undefined, min: number): number | undefined => {
    if (raw === undefined) return undefined
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min) throw new CliError(`--${flag}: ${JSON.stringify(String(raw))} is not a whole number ≥ ${min}`)
    return n
  }
  const vus = whole('vus', flags.vus, 1)
  const iterations = whole('iterations', flags.iterations, 1)
  const workers = whole('workers', flags.workers, 0)
  let duration: number | undefined
  if (flags.duration !== undefined) {
    try { duration = parseDuration(String(flags.duration), 'duration') } catch { throw new CliError(`--duration: ${JSON.stringify(String(flags.duration))} is not a duration; use e.g. 30s, 2m, 1h30m`) }
  }
  let rate: number | undefined
  if (flags.rate !== undefined) {
    rate = Number(flags.rate)
    if (!Number.isFinite(rate) || rate <= 0) throw new CliError(`--rate: ${JSON.stringify(String(flags.rate))} is not a number > 0 (iterations per second)`)
    if (duration === undefined) throw new CliError('--rate needs --duration (an arrival rate runs for a time), e.g. --rate 100 --duration 30s')
  }
  // As in k6, a shortcut on the command line replaces the file's load shape.
  if (rate !== undefined) drop.push('stages', 'startVUs', 'vus', 'iterations')
  if (rate !== undefined) Object.assign(o, { executor: 'constant-arrival-rate', rate, duration, preAllocatedVUs: vus ?? Math.max(1, Math.ceil(rate)) })
  else if (vus !== undefined || duration !== undefined || iterations !== undefined) {
    drop.push('executor', 'stages', 'startVUs', 'rate', 'timeUnit', 'preAllocatedVUs', 'maxVUs')
    if (vus !== undefined) o['vus'] = vus
    if (duration !== undefined) o['duration'] = duration
    if (iterations !== undefined) o['iterations'] = iterations
  }
  if (workers !== undefined) o['workers'] = workers
  if (flags.profile !== undefined) o['profile'] = String(flags.profile)
  if (flags.segment !== undefined) o['segment'] = String(flags.segment)
  if (flags.executionSegment !== undefined) o['executionSegment'] = String(flags.executionSegment)
  if (flags.executionSegmentSequence !== undefined) o['executionSegmentSequence'] = String(flags.executionSegmentSequence)
  if (flags.startAt !== undefined) o['startAt'] = parseStartAt(String(flags.startAt))
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k]
  return { set: o as Partial<RunOptions<unknown>>, drop }
}

/** `--start-at`: an ISO time (`2026-12-01T10:00:00Z`) or epoch milliseconds. */
function parseStartAt(raw: string): number {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw)
  if (!Number.isFinite(ms)) throw new CliError(`--start-at: ${JSON.stringify(raw)} is not a time; use an ISO time such as 2026-12-01T10:00:00Z or epoch milliseconds`)
  return ms
}

/** Live progress on stderr in a terminal (not in CI, not with --quiet), one line a second. */
function progress(flags: RunFlags, io: Io): Pick<RunOptions<unknown>, 'onProgress'> {
  if (flags.quiet || process.env['CI'] || !process.stderr.isTTY) return {}
  return {
    onProgress: (live) => {
      const p = live.timelineAt(-1)
      io.err(`${(live.duration / 1000).toFixed(0)}s  ${p ? `${p.requests} req/s  p95 ${p.p95.toFixed(1)} ms  ${p.errors} errors` : ''}`)
    },
  }
}
