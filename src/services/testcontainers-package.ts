/**
 * testcontainers, loaded on first use: it brings dockerode, an HTTP client and more (~150 ms to
 * load), which a suite without containers should not pay for. Version 12 needs Node ≥ 22.22; on an
 * older Node a container fails to start with an error that says so, and process services still work.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type * as Testcontainers from 'testcontainers'
import { ServiceError } from '../errors.ts'

export type TestcontainersModule = typeof Testcontainers
export type RuntimeClient = Testcontainers.ContainerRuntimeClient
export type DockerContainer = ReturnType<RuntimeClient['container']['getById']>

let loading: Promise<TestcontainersModule> | undefined

function nodeTooOld(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
  return major < 22 || (major === 22 && minor < 22)
}

/** The testcontainers package; a ServiceError when it cannot load here. */
export function testcontainers(service: string): Promise<TestcontainersModule> {
  if (nodeTooOld()) {
    return Promise.reject(new ServiceError(service, `service "${service}": containers need Node ≥ 22.22 (testcontainers 12); this is Node ${process.versions.node}. Process services work on this Node.`))
  }
  loading ??= import('testcontainers').catch((err: unknown) => {
    loading = undefined
    throw new ServiceError(service, `service "${service}": the testcontainers package could not be loaded: ${(err as Error).message}`, [], { cause: err })
  })
  return loading
}

/** Where the package's entry is, for the watchdog (a separate process) to import the same copy. */
export function testcontainersUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('testcontainers')).href
}

/**
 * Whether a container engine answers, as testcontainers sees it (a `docker info` that works is not
 * proof: testcontainers also needs to find the host). Gives the reason when not.
 */
export async function probeContainerRuntime(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const tc = await testcontainers('probe')
    await tc.getContainerRuntimeClient()
    return { ok: true }
  } catch (err) {
    return { ok: false, reason: (err as Error).message }
  }
}
