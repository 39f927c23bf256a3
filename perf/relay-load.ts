/**
 * The relay suite's load, shared by the Vitest suite (perf/relay.perf.ts) and the Jest one
 * (perf/jest/relay.test.ts), so both run the same thing: ramping VUs with the seed's three
 * Locust user types and thresholds, and the brief's constant-arrival-rate send.
 */
import type { PerfOptions, VuFunction } from '../src/index.ts'

export interface RelayData { baseUrl: string }

/** The ramping block's options; `setup` gives the VUs the relay's address. */
export function rampingRelay(setup: () => RelayData): PerfOptions<RelayData> {
  return {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '30s', target: 10 }, { duration: '1m', target: 50 }, { duration: '2m', target: 100 },
      { duration: '2m', target: 100 }, { duration: '1m', target: 50 }, { duration: '30s', target: 0 },
    ],
    gracefulRampDown: '5s',
    thresholds: {
      http_req_duration: ['p(95)<500'],
      http_req_failed: ['rate<0.01'],
      relay_errors: ['rate<0.05'],
      'http_req_duration{name:POST /messages}': ['p(99)<1000'],
    },
    profiles: {
      ci: { stages: [{ duration: '1s', target: 8 }, { duration: '2s', target: 8 }, { duration: '500ms', target: 0 }], gracefulRampDown: '1s' },
      full: {},
    },
    setup,
    scenarios: {
      // Locust DchatUser: weight 10, tasks send 3 / get 2 / status 1 / health 1, wait 1–3 s.
      normal: {
        weight: 10,
        fn: async ({ http, data, pick, check, sleep, metrics }) => {
          const task = pick({ send: 3, get: 2, status: 1, health: 1 })
          const started = performance.now()
          const res = task === 'send'
            ? await http.post(`${data.baseUrl}/messages`, { json: { room: 'general', text: 'hello' } })
            : task === 'get' ? await http.get(`${data.baseUrl}/messages?room=general&limit=20`)
            : task === 'status' ? await http.get(`${data.baseUrl}/relay/status`)
            : await http.get(`${data.baseUrl}/health`)
          const ok = check(res, { 'status is 2xx': (r) => r.status >= 200 && r.status < 300 })
          metrics.rate('relay_errors').add(!ok)
          if (task === 'send') metrics.trend('message_latency').add(performance.now() - started)
          await sleep([1, 3])
        },
      },
      // Locust HeavyUser: weight 1, bursts of 5 messages 100 ms apart, wait 0.5–1.5 s.
      heavy: {
        weight: 1,
        fn: async ({ http, data, check, sleep, metrics }) => {
          for (let i = 0; i < 5; i++) {
            const res = await http.post(`${data.baseUrl}/messages`, { json: { room: 'heavy', text: `burst ${i}` } })
            metrics.rate('relay_errors').add(!check(res, { 'send accepted': (r) => r.status === 201 }))
            await sleep(0.1)
          }
          await sleep([0.5, 1.5])
        },
      },
      // Locust BurstUser: weight 0.5, 10–20 messages per burst, bursts 5–10 s apart.
      burst: {
        weight: 0.5,
        fn: async ({ http, data, check, sleep, metrics }) => {
          const n = 10 + Math.floor(Math.random() * 11)
          for (let i = 0; i < n; i++) {
            const res = await http.post(`${data.baseUrl}/messages`, { json: { room: 'burst', text: `burst ${i}` } })
            metrics.rate('relay_errors').add(!check(res, { 'send accepted': (r) => r.status === 201 }))
          }
          await sleep([5, 10])
        },
      },
    },
  }
}

/** The send scenario's options: an open-model send at a fixed rate. */
export const sendAtRate: PerfOptions<RelayData> = {
  executor: 'constant-arrival-rate', rate: 500, duration: '1m', preAllocatedVUs: 20, maxVUs: 100,
  profiles: { ci: { rate: 100, duration: '2s', preAllocatedVUs: 5, maxVUs: 20 }, full: {} },
}

export const send: VuFunction<RelayData> = async ({ http, data }) => {
  await http.post(`${data.baseUrl}/messages`, { json: { room: 'rate', text: 'hi' } })
}
