/**
 * Where the user called `perf()` or `scenario().run()`, for the errors a block fails with.
 *
 * A perf block's test body runs later, from the test runner, so an error thrown in it has only loadspec's
 * frames (and, in an installed package, runners hide node_modules frames, leaving none at all).
 * Capturing the stack at the user's call and giving it to loadspec's own errors makes the runner
 * show the user's `perf(…)` / `.run(…)` line and its code frame.
 */
import { isLoadspecError } from '../errors.ts'

/** The stack at the call of `callee`, without `callee`'s own frame and those above it. */
export function captureCallSite(callee: (...args: never[]) => unknown): string {
  const holder: { stack?: string } = {}
  Error.captureStackTrace(holder, callee)
  return holder.stack ?? ''
}

/**
 * Gives a loadspec error the captured call site as its stack (name and message kept, `cause`
 * untouched); any other value is returned as it is: a user's error or a bug keeps its own stack.
 */
export function atCallSite(err: unknown, site: string): unknown {
  if (!isLoadspecError(err)) return err
  const frames = site.split('\n').filter((l) => /^\s+at /.test(l))
  if (frames.length) err.stack = `${err.name}: ${err.message}\n${frames.join('\n')}`
  return err
}

/** `body`, whose loadspec errors carry `site` as their stack. */
export function withCallSite<A extends unknown[], R>(site: string, body: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await body(...args)
    } catch (err) {
      throw atCallSite(err, site)
    }
  }
}
