// The benchmark's perf block, written once; bench/run.mjs makes a Vitest and a Jest test file of it
// (only this import differs), so both runners run the very same load.
import { perf } from '__RUNNER__'

perf('runner cost', {
  vus: 50, duration: Number(process.env['BENCH_SECONDS']) * 1000, workers: 1,
  setup: () => ({ url: process.env['BENCH_URL'] as string }),
}, async ({ http, data }) => {
  await http.get((data as { url: string }).url)
})
