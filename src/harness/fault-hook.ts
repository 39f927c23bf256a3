/**
 * The fault hook: runs a block's fault timeline while its load runs. It wraps the load runner, so
 * the timeline starts when the load starts (after setup) and is stopped (what is in force put
 * back) as soon as the load ends, before teardown. Its marks go into the result, in ms after the
 * result's start. A fault that cannot be applied stops the load, and the run fails with that
 * fault's error.
 */
import type { LoadOutcome, LoadRunner } from '../core/load-runner.ts'
import { WorkerFailedError } from '../errors.ts'
import type { FaultMarkData } from '../metrics/result-data.ts'
import { PerfResult } from '../metrics/result.ts'
import { startFaultTimeline, type PlannedFault } from '../services/faults.ts'
import { UsageError } from '../errors.ts'
import type { BlockHook } from './lifecycle.ts'
import type { ServicesHook } from './services-hook.ts'

export function faultHook(planned: readonly PlannedFault[], services: ServicesHook): BlockHook {
  let marks: FaultMarkData[] | undefined
  let failure: Error | undefined

  return {
    wrapLoad(run: LoadRunner): LoadRunner {
      return async (data, signal, onSecond): Promise<LoadOutcome> => {
        const set = services.set
        if (!set) throw new UsageError('faults: the services are not running') // the services hook starts first
        const stopLoad = new AbortController()
        const t0 = Date.now()
        const timeline = startFaultTimeline(planned, { services: set, proxies: services.proxies }, (err) => {
          failure ??= err
          stopLoad.abort(err)
        })
        let out: LoadOutcome
        try {
          out = await run(data, AbortSignal.any([signal, stopLoad.signal]), onSecond)
        } finally {
          await timeline.stop()
        }
        // The timeline's clock started a little before the runner's (worker threads start first): re-base on the result's start.
        const shift = t0 - out.startTime
        marks = timeline.marks.map((m) => ({ index: m.index, service: m.service, label: m.label, atMs: Math.max(0, m.atMs + shift), endMs: Math.max(0, m.endMs + shift) }))
        // execute() marks the result as stopped by this error and throws it with the partial result.
        return failure && !out.error ? { ...out, error: failure } : out
      }
    },
    finish(result: PerfResult): PerfResult {
      return marks === undefined ? result : new PerfResult({ ...result.toJSON(), faults: marks })
    },
    failure(err: unknown): unknown {
      // The run stopped for a fault that could not be applied: fail with that fault's own error.
      if (failure && err instanceof WorkerFailedError && err.cause === failure) return Object.assign(failure, { result: err.result })
      return err
    },
  }
}
