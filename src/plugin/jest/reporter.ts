/**
 * `reporters: ['default', 'loadspec/jest/reporter']` (options: `['loadspec/jest/reporter', { profile,
 * reportDir, summary, progress }]`, as the Vitest plugin's). It opens the test → reporter channel
 * (channel.ts) and sets the environment test workers inherit (Jest starts them after its reporters),
 * prints a progress line per running block about once a second in a terminal, and at the end does
 * what every runner's reporter does (src/harness/run-end.ts). A reporter that throws must never
 * abort the test run: every hook is guarded.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkPluginOptions, progressWanted, workerEnv, type LoadspecPluginOptions } from '../../harness/config.ts'
import { JEST_CHANNEL_ENV } from '../../harness/env.ts'
import { EVERY_MS, progressLine } from '../../harness/progress.ts'
import { finishRun, guard } from '../../harness/run-end.ts'
import type { BlockDigest } from '../../report/summary.ts'
import { freshProgress, takeDigests, testKey } from './channel.ts'

/** What the reporter reads of Jest's objects (structural, so no Jest types are needed to use it). */
interface JestTestResult { testFilePath: string; testResults: readonly { fullName: string }[] }
interface JestGlobalConfig { rootDir: string }

export class LoadspecJestReporter {
  private readonly options: LoadspecPluginOptions
  private readonly dir: string
  private readonly root: string
  private readonly progress: boolean
  private readonly digests: BlockDigest[] = []
  private readonly seen = new Map<string, number>()
  private poll: NodeJS.Timeout | undefined

  constructor(globalConfig: JestGlobalConfig, options: LoadspecPluginOptions = {}) {
    this.options = checkPluginOptions(options, 'the loadspec Jest reporter')
    this.root = globalConfig.rootDir ?? process.cwd()
    // Jest prints to stderr, so live lines are wanted when that is a terminal.
    this.progress = progressWanted(this.options, process.stderr)
    this.dir = mkdtempSync(join(tmpdir(), 'loadspec-jest-'))
    Object.assign(process.env, workerEnv(this.options, this.root, this.progress), { [JEST_CHANNEL_ENV]: this.dir })
  }

  onRunStart(): void {
    this.digests.length = 0
    // Removed at the end of each run; a watch-mode run starts with it again.
    mkdirSync(this.dir, { recursive: true })
    if (!this.progress || this.poll) return
    this.poll = setInterval(() => guard(() => {
      for (const f of freshProgress(this.dir, this.seen)) process.stderr.write(progressLine(f) + '\n')
    }), EVERY_MS)
    this.poll.unref()
  }

  onTestResult(_test: unknown, result: JestTestResult): void {
    guard(() => {
      for (const r of result.testResults) this.digests.push(...takeDigests(this.dir, testKey(result.testFilePath, r.fullName)))
    })
  }

  onRunComplete(): void {
    clearInterval(this.poll)
    this.poll = undefined
    finishRun(this.digests, { summary: this.options.summary, root: this.root, stream: process.stderr, log: (t) => process.stderr.write(t + '\n') })
    guard(() => rmSync(this.dir, { recursive: true, force: true }))
  }

  getLastError(): Error | undefined {
    return undefined
  }
}

export default LoadspecJestReporter
