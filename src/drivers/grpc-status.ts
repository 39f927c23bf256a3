/**
 * gRPC status codes (fixed by the gRPC spec, doc/statuscodes.md) and the error kind of each, here
 * rather than read from @grpc/grpc-js so that status handling does not load it (lazy-packages.ts).
 */
import type { ErrorKind } from '../metrics/sink.ts'

export const GRPC_OK = 0
export const GRPC_CANCELLED = 1
export const GRPC_DEADLINE_EXCEEDED = 4

const NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'] as const

const KINDS: Readonly<Record<string, ErrorKind>> = {
  DEADLINE_EXCEEDED: 'timeout', UNAVAILABLE: 'refused', CANCELLED: 'aborted', RESOURCE_EXHAUSTED: 'rate_limited',
  UNIMPLEMENTED: '4xx', INVALID_ARGUMENT: '4xx', NOT_FOUND: '4xx', UNAUTHENTICATED: '4xx', PERMISSION_DENIED: '4xx',
  FAILED_PRECONDITION: '4xx', ALREADY_EXISTS: '4xx', OUT_OF_RANGE: '4xx', INTERNAL: '5xx', UNKNOWN: '5xx', DATA_LOSS: '5xx',
}

/** `DEADLINE_EXCEEDED` for 4; the number itself for a code outside the spec. */
export const statusName = (code: number): string => NAMES[code] ?? String(code)

/** gRPC status → ErrorKind. */
export function kindOfStatus(code: number): ErrorKind {
  return KINDS[statusName(code)] ?? 'other'
}
