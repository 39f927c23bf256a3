/**
 * Colour for the terminal summary, decided once per output stream. picocolors does the escapes;
 * the decision is ours, because picocolors (like Vitest's own colours) also colours piped output
 * in CI and reads FORCE_COLOR=0 as "force".
 */
import pc from 'picocolors'

/** The styles the summary uses; each returns its text unchanged when colour is off. */
export interface Palette {
  /** Passed: ✓ and its verdict. */
  readonly ok: (s: string) => string
  /** Failed: ✗, breached figures, errors. */
  readonly bad: (s: string) => string
  /** Warnings: a saturated generator, an aborted run. */
  readonly warn: (s: string) => string
}

const same = (s: string) => s
/** No colour: for error messages, files and anything not written to a terminal. */
export const PLAIN: Palette = { ok: same, bad: same, warn: same }

/**
 * Whether to colour text written to `stream`, as Node decides for its own output: FORCE_COLOR set
 * wins (`''`, `1`, `2`, `3` or `true` turn colour on, anything else, such as `0`, off); then a
 * non-empty NO_COLOR turns it off (no-color.org); otherwise only a terminal (not a pipe or file,
 * and TERM not `dumb`) gets colour.
 */
export function colorEnabled(env: Readonly<Record<string, string | undefined>>, stream: { readonly isTTY?: boolean | undefined }): boolean {
  const force = env['FORCE_COLOR']
  if (force !== undefined) return ['', '1', '2', '3', 'true'].includes(force)
  if (env['NO_COLOR']) return false
  return stream.isTTY === true && env['TERM'] !== 'dumb'
}

/** The palette for `enabled`. */
export function palette(enabled: boolean): Palette {
  if (!enabled) return PLAIN
  const c = pc.createColors(true)
  return { ok: (s) => c.green(s), bad: (s) => c.bold(c.red(s)), warn: (s) => c.yellow(s) }
}
