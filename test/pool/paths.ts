/** Imported by pool.test.ts's VU functions: proves a worker gets the test file's imports. */
export function delayPath(prefix: string, n: number): string {
  return `${prefix}/d${n % 4}`
}
