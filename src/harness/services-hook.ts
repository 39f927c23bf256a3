/**
 * The services hook: starts a block's services before setup() (or takes a shared set), puts a
 * fault proxy in front of every service a toxic fault names, and tells setup(), teardown() and the
 * VUs where each is reached (the proxy's address for a proxied one: the load's traffic goes
 * through it, the services' own traffic to each other does not). After teardown it closes the
 * proxies and stops what it started, also when the run failed or was aborted.
 */
import { randomUUID } from 'node:crypto'
import type { ServiceAddresses } from '../core/options.ts'
import { startFaultProxy, type FaultProxy } from '../services/proxy/index.ts'
import { startServices } from '../services/service-set.ts'
import type { ServiceAddress, ServiceSet } from '../services/types.ts'
import { isSharedServices, type ServicesOption } from './shared-services.ts'
import type { BlockHook, LifecycleContext } from './lifecycle.ts'

/** How many of each service's last log lines a failed block's message ends with. */
export const FAILURE_LOG_LINES = 20

export interface ServicesHook extends BlockHook {
  /** The running services (after start). */
  readonly set: ServiceSet | undefined
  /** The proxy in front of each service a toxic names (after start). */
  readonly proxies: ReadonlyMap<string, FaultProxy>
}

/** A run id that says which block started the services (labels, state directory), unique per run. */
function runIdFor(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 40)
  return `ls-${randomUUID().slice(0, 8)}${slug ? `-${slug}` : ''}`
}

export function servicesHook(option: ServicesOption, proxied: readonly string[], addresses: Record<string, ServiceAddress>): ServicesHook {
  let set: ServiceSet | undefined
  const proxies = new Map<string, FaultProxy>()
  const shared = isSharedServices(option)

  return {
    get set() { return set },
    proxies,
    async start(ctx: LifecycleContext) {
      set = shared ? await option.start() : await startOwn(option, ctx)
      try {
        for (const name of proxied) {
          const direct = set.get(name)
          if (direct.port === undefined) continue // planFaults let it through; apply() reports it when the toxic is due
          proxies.set(name, await startFaultProxy({ upstream: { host: direct.host, port: direct.port } }))
        }
      } catch (err) {
        // A hook whose start failed is not stopped by withHooks: remove what this one started.
        await this.stop?.(ctx)
        throw err
      }
      for (const name of set.names) addresses[name] = reachedAt(set.get(name), proxies.get(name))
    },
    failureNote() {
      if (!set) return ''
      const s = set
      return s.names.map((name) => {
        const lines = s.logs(name).slice(-FAILURE_LOG_LINES)
        return `\n--- last ${lines.length} log lines of service "${name}" ---${lines.length ? `\n${lines.join('\n')}` : ' (none)'}`
      }).join('')
    },
    async stop() {
      await Promise.allSettled([...proxies.values()].map((p) => p.close()))
      proxies.clear()
      // A shared set outlives the block: its owner stops it.
      if (set && !shared) await set.stopAll()
    },
  }
}

/** Starts the block's own services; an abort stops the start-up, but not the running set (stop() does, after teardown). */
async function startOwn(defs: Exclude<ServicesOption, { start(): unknown }>, ctx: LifecycleContext): Promise<ServiceSet> {
  const startup = new AbortController()
  const onAbort = () => startup.abort(ctx.signal?.reason)
  ctx.signal?.addEventListener('abort', onAbort, { once: true })
  if (ctx.signal?.aborted) onAbort()
  try {
    return await startServices(defs, { runId: runIdFor(ctx.plan.name), signal: startup.signal })
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort)
  }
}

/** A service's address as the load sees it: the proxy's for a proxied service, keeping the service's URL scheme. */
function reachedAt(direct: ServiceAddress, proxy: FaultProxy | undefined): ServiceAddress {
  if (!proxy) return direct
  const scheme = direct.url?.slice(0, direct.url.indexOf('://'))
  return { host: proxy.host, port: proxy.port, address: proxy.address, ...(scheme ? { url: `${scheme}://${proxy.address}` } : {}) }
}

export type { ServiceAddresses }
