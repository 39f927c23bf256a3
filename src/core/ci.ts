/** Whether this process runs in CI (the `CI` variable most CI services set, as Vitest reads it). */
export function isCI(): boolean {
  const ci = process.env['CI']
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0'
}
