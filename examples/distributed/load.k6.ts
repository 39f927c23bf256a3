// A k6-shaped module for `loadspec run`: the same shape a k6 script has (options, setup, a default
// VU function), loadspec's VU context. The distributed recipes beside it run it in shards.
import type { VuContext } from '../../src/index.ts' // in your project: from 'loadspec'

export const options = {
  executor: 'constant-arrival-rate',
  rate: 40,
  duration: '1s',
  preAllocatedVUs: 10,
  maxVUs: 40,
  // Judged on the whole load by `loadspec merge`, not per shard.
  thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<500'] },
}

export function setup() {
  return { url: process.env['TARGET_URL'] ?? 'http://127.0.0.1:8080' }
}

export default async ({ http, data }: VuContext<{ url: string }>) => {
  await http.get(`${data.url}/`, { name: 'GET /' })
}
