/**
 * k6's exit codes (errext/exitcodes/codes.go), so a CI step written for `k6 run` reads
 * `loadspec run` and `loadspec merge` the same way: 99 when a threshold is breached.
 */
import { isLoadspecError } from '../errors.ts'

export const EXIT = {
  ok: 0,
  thresholdsFailed: 99,
  invalidConfig: 104,
  externalAbort: 105,
  scriptException: 107,
} as const

/** The exit code for an error that ended a command. */
export function exitCodeOf(err: unknown): number {
  if (!isLoadspecError(err)) return EXIT.scriptException
  switch (err.code) {
    case 'LOADSPEC_ERR_INVALID_OPTION': case 'LOADSPEC_ERR_INVALID_THRESHOLD': case 'LOADSPEC_ERR_CLI':
    case 'LOADSPEC_ERR_INVALID_RESULT': case 'LOADSPEC_ERR_DEFINITION': return EXIT.invalidConfig
    case 'LOADSPEC_ERR_THRESHOLDS_FAILED': return EXIT.thresholdsFailed
    case 'LOADSPEC_ERR_ABORTED': return EXIT.externalAbort
    default: return EXIT.scriptException
  }
}
