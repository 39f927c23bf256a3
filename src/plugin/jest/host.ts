/**
 * A block's host under Jest. Jest gives a test no abort signal: after "Exceeded timeout" the body
 * keeps running, so the host has its own deadline (ownDeadlineMs, before the test's timeout)
 * that stops the load, with time left for workers and teardown; `done()` clears it. Digests and
 * progress go through the reporter's channel directory.
 */
import { AbortedError } from '../../errors.ts'
import type { BlockHost } from '../../harness/host.ts'
import { PROGRESS_ENV } from '../../harness/env.ts'
import { ownDeadlineMs } from '../../harness/timeout.ts'
import { JEST_STUB } from '../../pool/bundle.ts'
import { channelDir, progressFile, sendDigest, testKey } from './channel.ts'
import { jestExpect } from './globals.ts'

/**
 * The host of the running test. `timeoutMs` / `startedAt` say when Jest gives up on it;
 * undefined: no own deadline (Jest's state could not be read).
 */
export function jestHost(clock: { timeoutMs: number; startedAt: number } | undefined): BlockHost {
  const state = jestExpect()?.getState() ?? {}
  const { testPath, currentTestName } = state
  const dir = channelDir()
  const key = testPath && currentTestName !== undefined ? testKey(testPath, currentTestName) : undefined
  const stop = new AbortController()
  let timer: NodeJS.Timeout | undefined
  if (clock) {
    const left = ownDeadlineMs(clock.timeoutMs) - (Date.now() - clock.startedAt)
    timer = setTimeout(() => stop.abort(new AbortedError(`stopped at its own deadline, before Jest's ${clock.timeoutMs} ms test timeout (Jest cannot abort a test); give the test a longer timeout`)),
      Math.max(0, left))
    timer.unref()
  }
  const progress = dir && key && process.env[PROGRESS_ENV] ? progressFile(dir, key) : undefined
  return {
    testFile: testPath,
    signal: clock ? stop.signal : undefined,
    stub: JEST_STUB,
    report: (d) => {
      if (!dir || !key) return
      // The reporter's channel is best effort: losing a digest must not fail the user's test.
      try { sendDigest(dir, key, d) } catch (err) { process.stderr.write(`loadspec: the digest of "${d.name}" did not reach the reporter: ${(err as Error).message}\n`) }
    },
    progress: progress ? (f) => progress.send(f) : undefined,
    done: () => { clearTimeout(timer); progress?.end() },
  }
}
