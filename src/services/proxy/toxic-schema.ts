/**
 * What a toxic spec may hold, checked with zod. The types and attribute meanings are Toxiproxy's
 * (`toxics/*.go`), with the attributes flat beside `type` (Toxiproxy nests them in `attributes`)
 * and in camelCase as every other loadspec option, so a bad value is named where the user wrote
 * it: `faults[0].latency`. Every problem of one spec is listed in one InvalidOptionError.
 */
import { z } from 'zod'
import { InvalidOptionError } from '../../errors.ts'
import { describeValue, formatPath, formatProblem, issueProblems, type OptionPath, type Problem } from '../../core/option-issues.ts'

/** Node's longest timer (2^31 − 1 ms, 24.8 days); a longer one would fire after 1 ms instead. */
const MAX_TIMER_MS = 2_147_483_647

const wrong = (what: string, input: unknown) => (input === undefined ? `is required: give ${what}` : `must be ${what}; got ${describeValue(input)}`)
const ms = (what: string) => z.number({ error: (i) => wrong(`a number of milliseconds (${what})`, i.input) })
  .min(0, { error: (i) => `must be 0 or more ms; got ${String(i.input)}` })
  .max(MAX_TIMER_MS, { error: (i) => `must be at most ${MAX_TIMER_MS} ms (Node's longest timer); got ${String(i.input)}` })
const whole = (what: string, min: number) => z.number({ error: (i) => wrong(`a whole number of ${what}`, i.input) })
  .int({ error: (i) => `must be a whole number of ${what}; got ${describeValue(i.input)}` })
  .min(min, { error: (i) => `must be ${min} or more ${what}; got ${String(i.input)}` })
  .max(Number.MAX_SAFE_INTEGER, { error: (i) => `must be at most ${Number.MAX_SAFE_INTEGER} ${what}; got ${String(i.input)}` })

/** Fields every toxic but `down` takes (Toxiproxy's toxic wrapper). */
const common = {
  /** Which bytes it acts on: `downstream` (server → client, the default, as Toxiproxy) or `upstream` (client → server). */
  stream: z.enum(['upstream', 'downstream'], { error: (i) => wrong("'upstream' (client → server) or 'downstream' (server → client)", i.input) }).optional(),
  /** Probability that a connection gets the toxic, decided once per connection (default 1). */
  toxicity: z.number({ error: (i) => wrong('a probability from 0 to 1', i.input) })
    .min(0, { error: (i) => `must be a probability from 0 to 1; got ${String(i.input)}` })
    .max(1, { error: (i) => `must be a probability from 0 to 1; got ${String(i.input)}` }).optional(),
  /** Its id; defaults to `<type>_<stream>` (a number is added when that is taken). */
  name: z.string({ error: (i) => wrong('a non-empty string', i.input) }).min(1, { error: 'must not be empty' }).optional(),
}

/** The attributes of each toxic type, with Toxiproxy's units. */
const ATTRIBUTES = {
  latency: { latency: ms('added to each chunk'), jitter: ms('± spread of the latency').optional() },
  bandwidth: {
    rate: z.number({ error: (i) => wrong('a rate in KB/s (1 KB = 1000 bytes)', i.input) })
      .positive({ error: (i) => `must be a positive rate in KB/s; got ${String(i.input)} (to stop the data, use a timeout toxic)` }),
  },
  slow_close: { delay: ms('between the end of the data and the close') },
  timeout: { timeout: ms('until the connection is closed; 0 holds it open forever').optional() },
  reset_peer: { timeout: ms('after the first data until the reset').optional() },
  slicer: {
    averageSize: whole('bytes per slice', 1),
    sizeVariation: whole('bytes', 0).optional(),
    delay: z.number({ error: (i) => wrong('a number of microseconds between slices', i.input) })
      .min(0, { error: (i) => `must be 0 or more µs; got ${String(i.input)}` })
      .max(MAX_TIMER_MS * 1000, { error: (i) => `must be at most ${MAX_TIMER_MS * 1000} µs; got ${String(i.input)}` }).optional(),
  },
  limit_data: { bytes: whole('bytes', 0) },
} as const

export type ToxicType = ToxicSpec['type']
export const TOXIC_TYPES: readonly ToxicType[] = [...Object.keys(ATTRIBUTES) as (keyof typeof ATTRIBUTES)[], 'down']

const SCHEMAS: Record<string, z.ZodType> = Object.fromEntries(Object.entries(ATTRIBUTES).map(([type, attrs]) =>
  [type, z.strictObject({ type: z.literal(type), ...common, ...attrs })]))
const downSchema = z.strictObject({ type: z.literal('down'), name: common.name })

interface Common {
  /** Which bytes it acts on: `downstream` (server → client, Toxiproxy's default) or `upstream`. */
  stream?: 'upstream' | 'downstream'
  /** Probability (0–1) that a connection gets the toxic, decided once per connection. @default 1 */
  toxicity?: number
  /** Its id; defaults to `<type>_<stream>`, with a number added when that is taken. */
  name?: string
}
/** A toxic as a user writes it: `{ type: 'latency', latency: 100, jitter: 10 }`. Units are Toxiproxy's. */
export type ToxicSpec =
  /** Delays each chunk by `latency` ms ± `jitter` ms (uniform). */
  | (Common & { type: 'latency'; latency: number; jitter?: number })
  /** Passes at most `rate` KB/s (1 KB = 1000 bytes). */
  | (Common & { type: 'bandwidth'; rate: number })
  /** Delays the close (FIN) that follows the data by `delay` ms. */
  | (Common & { type: 'slow_close'; delay: number })
  /** Drops every byte and closes the connection after `timeout` ms; 0 holds it open forever. @default timeout 0 */
  | (Common & { type: 'timeout'; timeout?: number })
  /** Drops the data and resets (TCP RST) both sides `timeout` ms after the first data. @default timeout 0 */
  | (Common & { type: 'reset_peer'; timeout?: number })
  /** Cuts each chunk into slices of about `averageSize` ± `sizeVariation` bytes, `delay` µs apart. */
  | (Common & { type: 'slicer'; averageSize: number; sizeVariation?: number; delay?: number })
  /** Passes `bytes` bytes, then closes the connection. */
  | (Common & { type: 'limit_data'; bytes: number })
  /** The proxy refuses connections while it is on (it stops listening), as `down()`. */
  | { type: 'down'; name?: string }

type Filled<T> = T extends { type: 'down' } ? T : T & { stream: 'upstream' | 'downstream'; toxicity: number }
/** A checked toxic with its defaults filled in. */
export type Toxic =
  | Filled<Exclude<ToxicSpec, { type: 'latency' | 'timeout' | 'reset_peer' | 'slicer' }>>
  | Filled<Common & { type: 'latency'; latency: number; jitter: number }>
  | Filled<Common & { type: 'timeout' | 'reset_peer'; timeout: number }>
  | Filled<Common & { type: 'slicer'; averageSize: number; sizeVariation: number; delay: number }>

const DEFAULTS: { [T in keyof typeof ATTRIBUTES]?: Record<string, number> } = {
  latency: { jitter: 0 }, timeout: { timeout: 0 }, reset_peer: { timeout: 0 }, slicer: { sizeVariation: 0, delay: 0 },
}

/**
 * Checks a toxic spec and fills in its defaults.
 * @param path where the spec sits in the user's options, for messages (`['faults', 0]`)
 * @throws InvalidOptionError listing every problem, each with its path (`faults[0].latency: …`)
 */
export function parseToxic(input: unknown, path: OptionPath = ['toxic']): Toxic {
  const problems = toxicProblems(input, path)
  if (problems.length > 0) {
    const sorted = [...problems.filter((p) => p.key), ...problems.filter((p) => !p.key)]
    throw new InvalidOptionError(formatPath(sorted[0]?.path ?? path) || 'toxic', `Invalid toxic ${formatPath(path)}:\n  - ${sorted.map(formatProblem).join('\n  - ')}`)
  }
  const spec = input as Record<string, unknown>
  if (spec['type'] === 'down') return { type: 'down', name: spec['name'] as string | undefined }
  const type = spec['type'] as keyof typeof ATTRIBUTES
  return { stream: 'downstream', toxicity: 1, ...DEFAULTS[type], ...spec } as Toxic
}

function toxicProblems(input: unknown, path: OptionPath): Problem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ path, message: `must be a toxic like { type: 'latency', latency: 100 }; got ${describeValue(input)}` }]
  }
  const type = (input as Record<string, unknown>)['type']
  if (typeof type !== 'string' || !(TOXIC_TYPES as readonly string[]).includes(type)) {
    return [{ path: [...path, 'type'], message: wrong(`one of ${TOXIC_TYPES.join(', ')}`, type) }]
  }
  const schema = type === 'down' ? downSchema : (SCHEMAS[type] as z.ZodType)
  const r = schema.safeParse(input)
  const problems = r.success ? [] : issueProblems(r.error.issues, path, { names: fieldsOf(type as ToxicType), explainKey: (key) => explainKey(key, type as ToxicType) })
  if (type === 'slicer') {
    // Toxiproxy's slicer needs variation < average size, or its split can leave the chunk it splits.
    const { averageSize, sizeVariation } = input as { averageSize?: unknown; sizeVariation?: unknown }
    if (typeof averageSize === 'number' && typeof sizeVariation === 'number' && sizeVariation >= averageSize && averageSize >= 1) {
      problems.push({ path: [...path, 'sizeVariation'], message: `must be less than averageSize (${averageSize}); got ${sizeVariation}` })
    }
  }
  return problems
}

function fieldsOf(type: ToxicType): string[] {
  return type === 'down' ? ['type', 'name'] : ['type', ...Object.keys(common), ...Object.keys(ATTRIBUTES[type])]
}

/** An attribute of another toxic type is explained rather than "did you mean"-ed. */
function explainKey(key: string, type: ToxicType): string | undefined {
  if (type === 'down' && key in common) return `down acts on the whole proxy (it stops listening), so ${key} does not apply; remove it`
  const owners = Object.entries(ATTRIBUTES).filter(([, attrs]) => key in attrs).map(([t]) => t)
  if (owners.length === 0) return undefined
  return `is an attribute of ${owners.join(', ')}, not of ${type}; ${type} takes ${fieldsOf(type).filter((f) => f !== 'type').join(', ')}`
}
