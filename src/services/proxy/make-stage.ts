/** The stage that carries out one checked toxic on one direction of one connection. */
import { LimitDataStage, ResetPeerStage, TimeoutStage } from './cutting-toxics.ts'
import type { Stage, StageHost } from './stage.ts'
import { BandwidthStage, LatencyStage, SlicerStage, SlowCloseStage } from './timed-toxics.ts'
import type { Toxic } from './toxic-schema.ts'

/** A toxic that acts on a connection's bytes (every type but `down`, which acts on the listener). */
export type ConnectionToxic = Exclude<Toxic, { type: 'down' }>

export function makeStage(toxic: ConnectionToxic, host: StageHost): Stage {
  switch (toxic.type) {
    case 'latency': return new LatencyStage(host, toxic.latency, toxic.jitter)
    case 'bandwidth': return new BandwidthStage(host, toxic.rate)
    case 'slicer': return new SlicerStage(host, toxic.averageSize, toxic.sizeVariation, toxic.delay)
    case 'slow_close': return new SlowCloseStage(host, toxic.delay)
    case 'timeout': return new TimeoutStage(host, toxic.timeout)
    case 'reset_peer': return new ResetPeerStage(host, toxic.timeout)
    case 'limit_data': return new LimitDataStage(host, toxic.bytes)
  }
}
