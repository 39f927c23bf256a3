/**
 * A block's life, the same under every runner: choose where the load runs, start the lifecycle
 * hooks, execute (setup → load → teardown), hand the digest to the reporter (also of a partial
 * result when a worker failed), write the result files, and for a perf block turn breached
 * thresholds or an abort into the test's failure.
 */
import type { PerfOptions } from '../core/options.ts'
import type { PreparedBlock } from '../core/run.ts'
import { AbortedError, ThresholdsFailedError } from '../errors.ts'
import { PerfResult } from '../metrics/result.ts'
import type { RunnerStub } from '../pool/bundle.ts'
import { writeResultFiles } from '../report/files.ts'
import { digest, type BlockDigest } from '../report/summary.ts'
import { formatBlock } from '../report/table.ts'
import { REPORT_DIR_ENV } from './env.ts'
import type { BlockHost } from './host.ts'
import { executeWithHooks, hooksFor } from './lifecycle.ts'
import { progressSender } from './progress.ts'
import { DEFAULT_WORKERS, executeInput, runnerFor } from './runner.ts'

export interface BlockRun {
  readonly block: PreparedBlock
  /** The block's options (a scenario's merged with its run's overrides), caller-thread ones included. */
  readonly options: PerfOptions<unknown>
  /** JSON-safe overrides the workers apply to the options they find in the test file. */
  readonly overrides: Readonly<Record<string, unknown>>
  /** Wins over the host's signal (a scenario run's own `signal`). */
  readonly signal?: AbortSignal | undefined
}

/** Runs the block for `host` (undefined: outside any test) and returns its result; the reporter gets its digest. */
export async function runBlock(host: BlockHost | undefined, run: BlockRun): Promise<PerfResult> {
  const { block, options } = run
  const { plan } = block
  const signal = run.signal ?? host?.signal
  try {
    const runner = runnerFor(block, options, { file: host?.testFile, overrides: run.overrides, stub: hostStub(host), defaultWorkers: DEFAULT_WORKERS,
      noFile: `"${plan.name}" runs outside a test, so no worker can load its function; call it inside a test or set workers: 0` })
    const wiring = hooksFor(block, options)
    const input = executeInput(block, options, { runner, signal, onProgress: progressSender(plan, options.onProgress, host?.progress), services: wiring.services })
    let result: PerfResult
    try {
      result = await executeWithHooks(wiring.hooks, { plan, options, signal }, input)
    } catch (err) {
      // A failed worker still reports what the others measured.
      const partial = (err as { result?: unknown }).result
      if (partial instanceof PerfResult) host?.report(digestWithFile(partial))
      throw err
    }
    host?.report(digestWithFile(result))
    return result
  } finally {
    host?.done?.()
  }
}

/** A perf block's verdict: breached thresholds fail its test with the summary table; so does an abort. */
export function perfVerdict(result: PerfResult, signal: AbortSignal | undefined): void {
  if (!result.thresholdsPassed) {
    throw new ThresholdsFailedError(`Thresholds breached in perf "${result.name}":\n${formatBlock(digest(result))}`)
  }
  if (signal?.aborted) throw new AbortedError(`perf "${result.name}" was aborted: ${reasonText(signal.reason)}`)
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason ?? '')
}

/** The digest the reporter gets, with the path of the JSON file the HTML report is built from. */
export function digestWithFile(result: PerfResult): BlockDigest {
  const dir = process.env[REPORT_DIR_ENV]
  return { ...digest(result), resultFile: dir ? writeResultFiles(result, dir)[0] : undefined }
}

/** Outside a test there is no test file for workers to load, so no runner to stub. */
const NO_RUNNER: RunnerStub = { name: 'none', alias: {} }

function hostStub(host: BlockHost | undefined): RunnerStub {
  return host?.stub ?? NO_RUNNER
}
