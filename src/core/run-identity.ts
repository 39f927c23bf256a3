/**
 * What makes results of several processes parts of one load: the same loadspec version and the
 * same plan (executors, user types, thresholds, profile, scale). `loadspec merge` refuses parts
 * whose identity differs, so shards of different scenarios or options are never added up.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { ParsedThreshold } from '../metrics/thresholds.ts'
import type { RunPlan } from './plan.ts'

let version: string | undefined

/** The package's version; src/ and dist/ both sit two folders below package.json. */
export function loadspecVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
  return version
}

/** A short hash of everything that shapes the load and its verdict (not the segment). */
export function planFingerprint(plan: RunPlan, thresholds: readonly ParsedThreshold[]): string {
  const shape = {
    name: plan.name,
    profile: plan.profile,
    scale: plan.scale,
    units: plan.units.map((u) => ({
      name: u.name, executor: u.executor, startTimeMs: u.startTimeMs, gracefulStopMs: u.gracefulStopMs,
      userTypes: u.userTypes.map((t) => ({ name: t.name, weight: t.weight, pacingMs: t.pacingMs, tags: t.tags })),
    })),
    thresholds: thresholds.map((t) => `${t.key} ${t.source}`).sort(),
  }
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16)
}
