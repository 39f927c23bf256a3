/// <reference types="vitest/config" />
/**
 * `loadspec()`: the Vite plugin for vitest.config.ts. Adds the matcher setup file, passes the
 * profile, report directory and progress choice to test workers (src/harness/config.ts), and
 * registers the loadspec reporter once (even when several projects call configureVitest).
 */
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import type { VitestPluginContext } from 'vitest/node'
import { checkPluginOptions, progressWanted, workerEnv, type LoadspecPluginOptions } from '../../harness/config.ts'
import { LoadspecReporter } from './reporter.ts'

export type { LoadspecPluginOptions }

/** Vitest instances that already have our reporter (configureVitest runs once per project). */
const withReporter = new WeakSet<object>()

export function loadspec(options: LoadspecPluginOptions = {}): Plugin {
  checkPluginOptions(options, 'loadspec()')
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
  const setupFile = fileURLToPath(new URL(`./setup${ext}`, import.meta.url))
  const progress = progressWanted(options)
  return {
    name: 'loadspec',
    config(config) {
      // Test workers write the files; they get the directory through their environment.
      return { test: { setupFiles: [setupFile], env: workerEnv(options, config.root ?? process.cwd(), progress) } } as Record<string, unknown>
    },
    configureVitest({ vitest }: VitestPluginContext) {
      if (withReporter.has(vitest)) return
      withReporter.add(vitest)
      // Push the instance itself: Vitest rejects [instance, options] tuples here.
      ;(vitest.config.reporters as unknown[]).push(new LoadspecReporter({ summary: options.summary !== false, progress }))
    },
  } satisfies Plugin & { configureVitest(ctx: VitestPluginContext): void }
}
