/**
 * The distributed recipes in examples/distributed run as written: the commands are read out of the
 * GitHub Actions workflow and the Kubernetes Jobs, expanded as their runner would (matrix values;
 * the pod's shell with JOB_COMPLETION_INDEX), and run here against a local server: four shards,
 * then the merge, whose whole must equal what the shards made.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { main } from '../../src/cli/main.ts'
import { PerfResult, type ResultData } from '../../src/index.ts'
import { startServer, type TestServer } from '../helpers/servers.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const recipe = (name: string) => readFileSync(join(root, 'examples/distributed', name), 'utf8')

/** Runs one `npx loadspec …` command line through the CLI's main(), from the project root. */
async function loadspec(words: string[]): Promise<number> {
  expect(words.slice(0, 2)).toEqual(['npx', 'loadspec'])
  const cwd = process.cwd()
  process.chdir(root)
  try {
    return await main(words.slice(2), { out: () => {}, err: (t) => { process.stderr.write(t + '\n') } })
  } finally {
    process.chdir(cwd)
  }
}

/** A command's words after the shell has expanded it, as `sh -c` in the pod would. */
function shellWords(command: string, env: Record<string, string>): string[] {
  return execFileSync('sh', ['-c', `set -- ${command}; printf '%s\\n' "$@"`], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim().split('\n')
}

let server: TestServer
beforeAll(async () => {
  server = await startServer((_req, res) => res.end('ok'))
  process.env['TARGET_URL'] = server.url
})
afterAll(async () => {
  delete process.env['TARGET_URL']
  await server.close()
})

const read = (path: string) => new PerfResult(JSON.parse(readFileSync(path, 'utf8')) as ResultData)

describe('GitHub Actions: a matrix of segments and a merge job', () => {
  interface Step { run?: string; uses?: string; with?: Record<string, unknown> }
  interface Workflow { jobs: { shard: { strategy: { matrix: { segment: number[] } }; steps: Step[] }; merge: { needs: string; steps: Step[] } } }
  const wf = parse(recipe('github-actions.yml')) as Workflow
  const shardRun = wf.jobs.shard.steps.find((s) => s.run?.includes('loadspec run'))?.run as string
  const mergeRun = wf.jobs.merge.steps.find((s) => s.run?.includes('loadspec merge'))?.run as string

  test('the workflow is shaped as the recipe says: four segments, artifacts up, merged after every shard', () => {
    expect(wf.jobs.shard.strategy.matrix.segment).toEqual([1, 2, 3, 4])
    expect(wf.jobs.merge.needs).toBe('shard')
    const upload = wf.jobs.shard.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))
    expect(upload?.with?.['path']).toBe('results/shard-${{ matrix.segment }}.json')
    expect(wf.jobs.merge.steps.some((s) => s.uses?.startsWith('actions/download-artifact'))).toBe(true)
  })

  test("its shard and merge commands, run here, make and judge the whole load", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadspec-gha-'))
    const here = (cmd: string) => cmd.replaceAll('results/', `${dir}/`)
    for (const segment of wf.jobs.shard.strategy.matrix.segment) {
      const cmd = here(shardRun.replaceAll('${{ matrix.segment }}', String(segment)))
      expect(await loadspec(cmd.split(/\s+/))).toBe(0)
    }
    expect(await loadspec(here(mergeRun).split(/\s+/))).toBe(0)
    const shards = [1, 2, 3, 4].map((i) => read(join(dir, `shard-${i}.json`)))
    const merged = read(join(dir, 'merged.json'))
    // 40/s for 1 s: 40 starts over the four shards, exactly
    expect(merged.iterations.completed).toBe(40)
    expect(shards.reduce((a, s) => a + s.requests, 0)).toBe(merged.requests)
    expect(merged.thresholds.every((t) => t.ok)).toBe(true)
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/<html/)
    expect(readFileSync(join(dir, 'merged_stats.csv'), 'utf8')).toMatch(/^Type,Name/)
  })
})

describe('Kubernetes: an Indexed Job of segments and a merge Job', () => {
  interface Job { kind: string; metadata: { name: string }; spec: { completionMode?: string; completions?: number; parallelism?: number;
    template: { spec: { containers: { command: string[] }[] } } } }
  const docs = parseAllDocuments(recipe('k8s-indexed-job.yaml')).map((d) => d.toJS() as Job)
  const shards = docs.find((d) => d.metadata.name === 'load-shards') as Job
  const merge = docs.find((d) => d.metadata.name === 'load-merge') as Job
  const command = (job: Job) => job.spec.template.spec.containers[0]?.command as string[]

  test('the Indexed Job runs four pods in parallel, each a shell command', () => {
    expect(shards.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 })
    expect(command(shards).slice(0, 2)).toEqual(['sh', '-c'])
    expect(command(merge).slice(0, 2)).toEqual(['sh', '-c'])
  })

  test('each pod\'s command, expanded by the shell with its JOB_COMPLETION_INDEX, and the merge make the whole load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadspec-k8s-'))
    // The shared volume's mount path becomes a temporary folder here.
    const here = (cmd: string) => cmd.replaceAll('/results/', `${dir}/`)
    for (let index = 0; index < (shards.spec.completions as number); index++) {
      expect(await loadspec(shellWords(here(command(shards)[2] as string), { JOB_COMPLETION_INDEX: String(index) }))).toBe(0)
    }
    expect(await loadspec(shellWords(here(command(merge)[2] as string), {}))).toBe(0)
    const merged = read(join(dir, 'merged.json'))
    expect(merged.iterations.completed).toBe(40)
    expect([0, 1, 2, 3].map((i) => (JSON.parse(readFileSync(join(dir, `shard-${i}.json`), 'utf8')) as ResultData).segment?.label)).toEqual(['1/4', '2/4', '3/4', '4/4'])
  })
})
