/// <reference types="vitest/config" />
/**
 * `loadspec()`: the Vite plugin for vitest.config.ts. Adds the matcher setup file, passes the
 * profile to test workers, and registers the loadspec reporter once (even when several projects
 * call configureVitest).
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import type { Plugin } from 'vite'
import type { VitestPluginContext } from 'vitest/node'
import { InvalidOptionError } from '../../errors.ts'
import { formatIssues } from '../../core/options-schema.ts'
import { LoadspecReporter } from './reporter.ts'
import { PROGRESS_ENV } from './progress-figures.ts'
import { isCI } from '../../core/ci.ts'

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
  reportDir: z.union([z.string().min(1), z.literal(false)], { error: "must be a directory path or false" }).optional(),
  progress: z.boolean().optional() })
/** Vitest instances that already have our reporter (configureVitest runs once per project). */
const withReporter = new WeakSet<object>()

export function loadspec(options: LoadspecPluginOptions = {}): Plugin {
  const parsed = schema.safeParse(options)
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues)
    throw new InvalidOptionError(lines[0]?.split(':')[0] ?? 'options', `Invalid options for loadspec():\n  - ${lines.join('\n  - ')}`)
  }
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
  const setupFile = fileURLToPath(new URL(`./setup${ext}`, import.meta.url))
  const env: Record<string, string> = {}
  if (options.profile && !process.env['LOADSPEC_PROFILE']) env['LOADSPEC_PROFILE'] = options.profile
  // Live lines are for people at a terminal; CI logs and pipes get only the end-of-run summary.
  const progress = options.progress ?? (process.stdout.isTTY === true && !isCI())
  if (progress) env[PROGRESS_ENV] = '1'
  return {
    name: 'loadspec',
    config(config) {
      // Test workers write the files; they get the directory through their environment.
      if (options.reportDir !== false) env['LOADSPEC_REPORT_DIR'] = resolve(config.root ?? process.cwd(), options.reportDir ?? 'perf-results')
      return { test: { setupFiles: [setupFile], env } } as Record<string, unknown>
    },
    configureVitest({ vitest }: VitestPluginContext) {
      if (withReporter.has(vitest)) return
      withReporter.add(vitest)
      // Push the instance itself: Vitest rejects [instance, options] tuples here.
      ;(vitest.config.reporters as unknown[]).push(new LoadspecReporter({ summary: options.summary !== false, progress }))
    },
  } satisfies Plugin & { configureVitest(ctx: VitestPluginContext): void }
}

/** True on CI services (they set CI; `CI=false` or `CI=0` opts out). */