/**
 * NATS as the bidding services use it: connections that retry for ever (a killed nats-server comes
 * back on the same port and every client finds it again), and the JetStream stream that keeps
 * accepted bids on disk until the archival worker has acknowledged them.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream'

/** Every accepted bid is published on `bids.<item id>`. */
export const BID_SUBJECT_PREFIX = 'bids.'
export const BID_STREAM = 'BIDS'
/** The archival worker's durable consumer: its position survives the worker and nats-server. */
export const ARCHIVER_CONSUMER = 'archiver'

export function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    name,
    // Never give up: the resilience suite kills nats-server and expects everyone back after it restarts.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    reconnectJitter: 50,
    // A service may start while nats-server is down (restarted during an outage); it connects later.
    waitOnFirstConnect: true,
    pingInterval: 2_000,
  })
}

/**
 * Creates the stream if it is missing. File storage, so a SIGKILLed nats-server still holds every
 * bid it acknowledged; a duplicate window, so a bid the publisher sends again after a lost ack
 * (its `msgID` is the bid id) is stored once.
 */
export async function ensureBidStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc)
  try {
    await jsm.streams.info(BID_STREAM)
  } catch {
    await jsm.streams.add({
      name: BID_STREAM,
      subjects: [`${BID_SUBJECT_PREFIX}>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: 120_000_000_000, // 2 min in ns
    })
  }
}
