/** The built-in TCP fault proxy (Toxiproxy's toxics in pure Node). */
export { startFaultProxy, type FaultProxy, type FaultProxyOptions, type FaultProxyStats } from './fault-proxy.ts'
export { parseToxic, TOXIC_TYPES, type Toxic, type ToxicSpec, type ToxicType } from './toxic-schema.ts'
export type { DirectionCounters } from './link.ts'
