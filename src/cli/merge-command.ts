/**
 * `loadspec merge <results…>`: the shards' JSON results merged exactly and judged whole (see
 * core/merge-shards.ts); prints the summary, writes the outputs a run writes, exits as a run
 * would (99 when a threshold of the whole is breached).
 */
import { readFileSync } from 'node:fs'
import { InvalidResultError } from '../errors.ts'
import { mergeShards } from '../core/merge-shards.ts'
import type { ResultData } from '../metrics/result-data.ts'
import { digest } from '../report/summary.ts'
import { formatBlock } from '../report/table.ts'
import { EXIT } from './exit-codes.ts'
import type { Io } from './io.ts'
import { parseOutSpecs, writeOutputs } from './outputs.ts'

export interface MergeFlags {
  out?: string | string[]
  summaryExport?: string
}

export function mergeCommand(files: readonly string[], flags: MergeFlags, io: Io): number {
  const outs = parseOutSpecs(flags.out)
  const parts = files.map((source) => ({ source, data: readResult(source) }))
  const result = mergeShards(parts)
  io.out(`merged ${parts.length} shard${parts.length === 1 ? '' : 's'} of "${result.name}"`)
  io.out(formatBlock(digest(result)))
  for (const path of writeOutputs(result, outs, flags.summaryExport)) io.out(`wrote ${path}`)
  return result.thresholdsPassed ? EXIT.ok : EXIT.thresholdsFailed
}

function readResult(path: string): ResultData {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ResultData
  } catch (err) {
    throw new InvalidResultError(`merge: cannot read ${path} (${(err as Error).message})`)
  }
}
