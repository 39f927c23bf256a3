/**
 * The services API as the harness and users see it: definitions made by `container()` and
 * `processService()`, started together by `startServices()` into a `ServiceSet`.
 */
import type { Duration } from '../core/duration.ts'

/**
 * When a service counts as ready. `port`: a TCP connect to its port succeeds. `http`: a GET of the
 * path on its port answers with a status below 500. `log`: a line of its output matches.
 * `command`: the command exits 0 (inside the container for a container, on the host for a process).
 * Every check is retried until `readyTimeout`.
 */
export type ReadyCheck =
  | { readonly port: true }
  | { readonly http: string }
  | { readonly log: RegExp | string }
  | { readonly command: readonly [string, ...string[]] }

/** Options both kinds of service take. */
export interface ServiceCommonOptions {
  /**
   * The port the service listens on (at 127.0.0.1). `0` picks a free port before the service
   * starts; write `{port}` in its command, arguments or environment values to pass it on.
   */
  readonly port?: number
  /** Environment variables; values may hold `{port}` and `{other.port}` (another service's port). */
  readonly env?: Readonly<Record<string, string>>
  /** @default `{ port: true }` when `port` is given, else ready once started */
  readonly ready?: ReadyCheck
  /** How long the service may take to become ready. @default '30s' */
  readonly readyTimeout?: Duration
  /** How long `stop` waits after SIGTERM before it kills. @default '10s' */
  readonly stopTimeout?: Duration
  /** The URL scheme of `url` in the service's address (`redis`, `nats`…). @default 'http' with an `http` check */
  readonly protocol?: string
  /** How many of the last output lines are kept for `logs()` and errors. @default 1000 */
  readonly logLines?: number
}

/** Options of `container(image, options)`. */
export interface ContainerOptions extends ServiceCommonOptions {
  /** The container's command (arguments to the image's entrypoint); may hold `{port}`. */
  readonly command?: readonly string[]
  /** Replaces the image's entrypoint. */
  readonly entrypoint?: readonly string[]
}

/** Options of `processService(command, args, options)`. */
export interface ProcessOptions extends ServiceCommonOptions {
  /** Working directory. @default process.cwd() */
  readonly cwd?: string
  /** Start from this process's environment, then apply `env`. @default true */
  readonly inheritEnv?: boolean
}

/** What `container()` and `processService()` return: a validated, inert description. */
export type ServiceDefinition =
  | { readonly kind: 'container'; readonly image: string; readonly options: ContainerOptions }
  | { readonly kind: 'process'; readonly command: string; readonly args: readonly string[]; readonly options: ProcessOptions }

/**
 * Where a started service is reached; JSON, so `setup()` and VUs in worker threads receive it as is.
 * `address` is `host:port` (gRPC's form); `url` is `protocol://host:port` when a protocol is known.
 */
export interface ServiceAddress {
  readonly host: string
  /** Absent for a service without a port. */
  readonly port?: number
  readonly url?: string
  /** `host:port`, or the host alone without a port. */
  readonly address: string
}

/**
 * Faults and control. `kill`: SIGKILL (no clean shutdown). `stop`: SIGTERM, then SIGKILL after
 * `stopTimeout`. `start`: start again and wait until ready. `restart`: stop, then start.
 * `pause` / `unpause`: freeze and thaw every process (SIGSTOP/SIGCONT, or the engine's freezer).
 */
export type ServiceAction = 'kill' | 'stop' | 'start' | 'restart' | 'pause' | 'unpause'

/** When an action began and ended (epoch ms); a `start` or `restart` ends when the service is ready. */
export interface ServiceActionResult {
  readonly service: string
  readonly action: ServiceAction
  readonly startedAt: number
  readonly endedAt: number
}

/** Options of `startServices()`. */
export interface StartServicesOptions {
  /**
   * Names this run's containers (label `loadspec.run-id`) and its state directory, so a watchdog
   * can remove them if this process dies. Letters, digits, `.`, `_`, `-`. @default a random id
   */
  readonly runId?: string
  /** Aborting stops the start-up (what started is removed) or, once started, stops every service. */
  readonly signal?: AbortSignal
}

/** Running services. Every method but `stopAll` refuses a name that is not in the set. */
export interface ServiceSet {
  readonly runId: string
  /** Service names in start order. */
  readonly names: readonly string[]
  get(name: string): ServiceAddress
  /** Every service's address by name (what the harness hands to `setup()`). */
  addresses(): Readonly<Record<string, ServiceAddress>>
  /** The last output lines kept (stdout and stderr interleaved as they arrived). */
  logs(name: string): readonly string[]
  act(name: string, action: ServiceAction): Promise<ServiceActionResult>
  /** Stops and removes everything this set started; safe to call twice and concurrently. */
  stopAll(): Promise<void>
}
