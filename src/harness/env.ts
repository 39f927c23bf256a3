/**
 * Environment variables through which a runner's config side (Vitest plugin, Jest reporter)
 * reaches the test side (test workers, which inherit the environment).
 */

/** Profile every block uses (also read by normalize). */
export const PROFILE_ENV = 'LOADSPEC_PROFILE'
/** Directory for each block's JSON and CSV files; unset: none. */
export const REPORT_DIR_ENV = 'LOADSPEC_REPORT_DIR'
/** Set to '1' when the reporter shows live progress. */
export const PROGRESS_ENV = 'LOADSPEC_PROGRESS'
/** Jest: the directory where tests leave digests and progress for the reporter (Jest has no channel). */
export const JEST_CHANNEL_ENV = 'LOADSPEC_JEST_CHANNEL'

export function envValue(name: string): string | undefined {
  return process.env[name] || undefined
}
