/** What every bidding service process shares: its settings from the environment, and how it ends. */

export function requiredEnv(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') {
    process.stderr.write(`${name} is not set: the bidding services are started by examples/bidding/stack.ts, which sets it\n`)
    process.exit(2)
  }
  return value
}

/**
 * Ends the process on SIGTERM/SIGINT after `cleanup`, and also when its stdin closes: the stack
 * starts services with a stdin pipe, which the kernel closes if the starting process dies, so a
 * crashed test run leaves no service behind.
 */
export function exitWithParent(cleanup: () => Promise<void>): void {
  let ending = false
  const end = () => {
    if (ending) return
    ending = true
    // A cleanup that hangs (a broker gone mid-close) must not keep the process alive.
    setTimeout(() => process.exit(0), 3_000).unref()
    void cleanup().finally(() => process.exit(0))
  }
  process.once('SIGTERM', end)
  process.once('SIGINT', end)
  process.stdin.on('close', end)
  process.stdin.on('end', end)
  process.stdin.resume()
}
