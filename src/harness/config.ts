/**
 * The options a runner's config side takes (the Vitest plugin's `loadspec({...})`, the Jest
 * reporter's options), checked with one schema, and the environment they give test workers.
 */
import { resolve } from 'node:path'
import { z } from 'zod'
import { InvalidOptionError } from '../errors.ts'
import { formatIssues } from '../core/options-schema.ts'
import { isCI } from '../core/ci.ts'
import { PROFILE_ENV, PROGRESS_ENV, REPORT_DIR_ENV } from './env.ts'

export interface LoadspecPluginOptions {
  /** Profile every perf block uses unless LOADSPEC_PROFILE is set (e.g. 'ci', 'full'). */
  profile?: string
  /** Print the end-of-run summary table. @default true */
  summary?: boolean
  /**
   * Directory for each perf block's JSON result and Locust CSV files (relative to the project
   * root), or `false` for none. @default 'perf-results'
   */
  reportDir?: string | false
  /**
   * Print a progress line per running perf block about once a second.
   * @default true in a terminal (stdout is a TTY) outside CI, false otherwise
   */
  progress?: boolean
}

const schema = z.strictObject({ profile: z.string().min(1).optional(), summary: z.boolean().optional(),
  reportDir: z.union([z.string().min(1), z.literal(false)], { error: 'must be a directory path or false' }).optional(),
  progress: z.boolean().optional() })

/** Checks the options; `where` names the call in the error (`loadspec()`, the Jest reporter). */
export function checkPluginOptions(options: unknown, where: string): LoadspecPluginOptions {
  const parsed = schema.safeParse(options ?? {})
  if (parsed.success) return parsed.data as LoadspecPluginOptions
  const lines = formatIssues(parsed.error.issues)
  throw new InvalidOptionError(lines[0]?.split(':')[0] ?? 'options', `Invalid options for ${where}:\n  - ${lines.join('\n  - ')}`)
}

/** Live lines are for people at a terminal; CI logs and pipes get only the end-of-run summary. */
export function progressWanted(options: LoadspecPluginOptions, stream: { isTTY?: boolean } = process.stdout): boolean {
  return options.progress ?? (stream.isTTY === true && !isCI())
}

/** The variables test workers need: the profile (unless the environment chose one), report directory, progress. */
export function workerEnv(options: LoadspecPluginOptions, root: string, progress: boolean): Record<string, string> {
  const env: Record<string, string> = {}
  if (options.profile && !process.env[PROFILE_ENV]) env[PROFILE_ENV] = options.profile
  // false writes nothing, also when an outer run (loadspec testing a project with loadspec) set a directory.
  env[REPORT_DIR_ENV] = options.reportDir === false ? '' : resolve(root, options.reportDir ?? 'perf-results')
  if (progress) env[PROGRESS_ENV] = '1'
  return env
}
