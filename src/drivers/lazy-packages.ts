/**
 * Protocol packages loaded on first use, not when loadspec is imported: @grpc/grpc-js and
 * @grpc/proto-loader take ~75 ms to load, undici ~50 ms and ws ~15 ms, and every pool worker would
 * pay that before its first request even when its scenario does not need them (plain-http VUs use
 * loadspec's own connection; undici carries https, streamed bodies and concurrent requests;
 * docs/performance.md).
 * They are CommonJS, so a synchronous require keeps `grpc.client()`, `ws.connect()` and the HTTP
 * client as they are.
 */
import { createRequire } from 'node:module'
import type * as GrpcJs from '@grpc/grpc-js'
import type * as ProtoLoader from '@grpc/proto-loader'
import type WebSocketClass from 'ws'
import type * as Undici from 'undici'

// Not named `require`: bundlers rewrite calls of that name, and packages must stay external.
const load = createRequire(import.meta.url)

let grpc: typeof GrpcJs | undefined
let protoLoader: typeof ProtoLoader | undefined
let ws: typeof WebSocketClass | undefined
let undiciPackage: typeof Undici | undefined

export function grpcJs(): typeof GrpcJs {
  return (grpc ??= load('@grpc/grpc-js') as typeof GrpcJs)
}
export function grpcProtoLoader(): typeof ProtoLoader {
  return (protoLoader ??= load('@grpc/proto-loader') as typeof ProtoLoader)
}
export function wsClass(): typeof WebSocketClass {
  return (ws ??= load('ws') as typeof WebSocketClass)
}
export function undici(): typeof Undici {
  return (undiciPackage ??= load('undici') as typeof Undici)
}
