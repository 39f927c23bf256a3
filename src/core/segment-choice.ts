/**
 * Which share of the load this process makes: loadspec's `segment: '2/4'` or k6's
 * `executionSegment: '1/4:2/4'` (+ `executionSegmentSequence`), from `run()` options, the CLI,
 * or the environment (`LOADSPEC_SEGMENT`, `LOADSPEC_EXECUTION_SEGMENT`,
 * `LOADSPEC_EXECUTION_SEGMENT_SEQUENCE`), so a CI matrix can shard perf blocks without code.
 */
import { InvalidOptionError } from '../errors.ts'
import { parseExecutionSegment, parseSegment, WHOLE, type Segment } from './segment.ts'

export interface SegmentChoice {
  /** `INDEX/COUNT` of equal parts, 1-based: `'2/4'` is the second quarter. */
  segment?: string | undefined
  /** k6's form: `'1/4:2/4'`, `'25%:50%'`, or a bare end (`'0.5'` = `0:0.5`). */
  executionSegment?: string | undefined
  /** k6's sequence of all shards' boundaries, e.g. `'0,1/4,1/2,1'` (decides the striping). */
  executionSegmentSequence?: string | undefined
}

export interface ChosenSegment {
  readonly stripes: Segment
  /** How it was written (`2/4`, `1/4:1/2 of 0,1/4,1/2,1`), or null for the whole load. */
  readonly label: string | null
}

export const WHOLE_LOAD: ChosenSegment = Object.freeze({ stripes: WHOLE, label: null })

export function chooseSegment(choice: SegmentChoice = {}, env: NodeJS.ProcessEnv = process.env): ChosenSegment {
  const segment = choice.segment ?? (env['LOADSPEC_SEGMENT'] || undefined)
  const k6 = choice.executionSegment ?? (env['LOADSPEC_EXECUTION_SEGMENT'] || undefined)
  const sequence = choice.executionSegmentSequence ?? (env['LOADSPEC_EXECUTION_SEGMENT_SEQUENCE'] || undefined)
  if (segment && k6) {
    throw new InvalidOptionError('segment', `segment ${JSON.stringify(segment)} and executionSegment ${JSON.stringify(k6)} both given; use one (segment: INDEX/COUNT, or k6's executionSegment FROM:TO)`)
  }
  if (sequence && !k6) {
    throw new InvalidOptionError('executionSegmentSequence', `executionSegmentSequence ${JSON.stringify(sequence)} needs executionSegment (which of its segments this process runs), as in k6`)
  }
  if (segment) return segment.trim() === '1/1' ? WHOLE_LOAD : { stripes: parseSegment(segment), label: segment.trim() }
  if (k6) return { stripes: parseExecutionSegment(k6, sequence), label: sequence ? `${k6} of ${sequence}` : k6 }
  return WHOLE_LOAD
}
