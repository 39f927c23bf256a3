/**
 * Overrides over a block's options, as `scenario.run(overrides)` and `loadspec run`'s flags give
 * them: a value replaces the option, `null` removes it (a `--duration` flag replaces a file's
 * `stages`). JSON-safe, so the same overrides reach worker threads and give the same plan there.
 */
export function applyOverrides<T extends object>(options: T, overrides: Readonly<Record<string, unknown>>): T {
  const out: Record<string, unknown> = { ...(options as Record<string, unknown>) }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete out[key]
    else out[key] = value
  }
  return out as T
}
