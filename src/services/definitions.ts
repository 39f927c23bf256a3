/**
 * `container()` and `processService()`: check the options at once (strict zod objects, so a
 * misspelt key is an error naming it) and return an inert definition; nothing starts here.
 */
import { z } from 'zod'
import { parseDurationOrNull } from '../core/duration.ts'
import { formatIssues } from '../core/option-issues.ts'
import { InvalidOptionError } from '../errors.ts'
import type { ContainerOptions, ProcessOptions, ServiceDefinition } from './types.ts'

const duration = z.union([z.string(), z.number()]).refine((v) => {
  const ms = parseDurationOrNull(v)
  return ms !== null && ms > 0
}, { message: 'must be a duration longer than 0 (e.g. "30s", "500ms" or a number of ms)' })

const port = z.number().int().min(0).max(65535, { message: 'must be 0 (pick a free port) or a port number up to 65535' })

const ready = z.union([
  z.strictObject({ port: z.literal(true) }),
  z.strictObject({ http: z.string().startsWith('/', { message: 'must be a path starting with "/"' }) }),
  z.strictObject({ log: z.union([z.instanceof(RegExp), z.string().min(1)]) }),
  z.strictObject({ command: z.tuple([z.string().min(1)], z.string()) }),
], { message: 'must be { port: true }, { http: "/path" }, { log: /regex/ } or { command: ["cmd", ...args] }' })

const common = {
  port: port.optional(),
  env: z.record(z.string(), z.string()).optional(),
  ready: ready.optional(),
  readyTimeout: duration.optional(),
  stopTimeout: duration.optional(),
  protocol: z.string().regex(/^[a-z][a-z0-9+.-]*$/, { message: 'must be a URL scheme such as "http" or "redis"' }).optional(),
  logLines: z.number().int().min(1).max(100_000).optional(),
}

const containerSchema = z.strictObject({
  ...common,
  command: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
})

const processSchema = z.strictObject({
  ...common,
  cwd: z.string().min(1).optional(),
  inheritEnv: z.boolean().optional(),
})

const COMMON_NAMES = Object.keys(common)

function check<T>(schema: z.ZodType<T>, value: unknown, what: string, names: readonly string[]): T {
  const parsed = schema.safeParse(value ?? {})
  if (parsed.success) return parsed.data
  const lines = formatIssues(parsed.error.issues, [], { names })
  throw new InvalidOptionError(lines[0]?.split(':')[0] ?? 'options', `Invalid options for ${what}:\n  - ${lines.join('\n  - ')}`)
}

function needsPort(options: { port?: number | undefined; ready?: unknown }, what: string): void {
  const r = options.ready as Record<string, unknown> | undefined
  if (r && ('port' in r || 'http' in r) && options.port === undefined) {
    throw new InvalidOptionError('port', `Invalid options for ${what}:\n  - ready: a ${'http' in r ? 'http' : 'port'} check needs the service's port; set port (0 picks a free one)`)
  }
}

/**
 * A container started from `image` through testcontainers, on the host network (its port is a
 * port of this machine, at 127.0.0.1). Needs a container engine; testcontainers is loaded only
 * when a container starts.
 * @throws {InvalidOptionError} for an unknown or malformed option
 */
export function container(image: string, options: ContainerOptions = {}): ServiceDefinition {
  if (typeof image !== 'string' || image.trim() === '') throw new InvalidOptionError('image', `container(): the image must be a non-empty name such as "redis:7", received ${typeof image === 'string' ? '""' : typeof image}`)
  const what = `container("${image}")`
  const parsed = check(containerSchema, options, what, [...COMMON_NAMES, 'command', 'entrypoint'])
  needsPort(parsed, what)
  return { kind: 'container', image, options: parsed as ContainerOptions }
}

/**
 * A child process (`command` with `args`, no shell), in its own process group so that a kill or a
 * pause reaches everything it started.
 * @throws {InvalidOptionError} for an unknown or malformed option
 */
export function processService(command: string, args: readonly string[] = [], options: ProcessOptions = {}): ServiceDefinition {
  if (typeof command !== 'string' || command.trim() === '') throw new InvalidOptionError('command', 'processService(): the command must be a non-empty string such as "node"')
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new InvalidOptionError('args', `processService("${command}"): args must be an array of strings`)
  const what = `processService("${command}")`
  const parsed = check(processSchema, options, what, [...COMMON_NAMES, 'cwd', 'inheritEnv'])
  needsPort(parsed, what)
  return { kind: 'process', command, args: [...args], options: parsed as ProcessOptions }
}
