/**
 * The test → reporter channel under Jest, which has none of its own (TestResult carries no
 * free-form data): the reporter makes a directory and names it in the environment test workers
 * inherit; a test leaves each run's digest there under a key of its file and full name, and its
 * live progress in a file the reporter polls about once a second.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BlockDigest } from '../../report/summary.ts'
import type { ProgressFigures } from '../../harness/progress.ts'
import { JEST_CHANNEL_ENV } from '../../harness/env.ts'

/** The channel directory when the loadspec reporter runs, else undefined (digests then go nowhere). */
export function channelDir(): string | undefined {
  return process.env[JEST_CHANNEL_ENV] || undefined
}

/** The key of a test: its file and full name (Jest's `ancestorTitles + title`, joined by spaces). */
export function testKey(testPath: string, fullName: string): string {
  return createHash('sha1').update(`${testPath}\0${fullName}`).digest('hex').slice(0, 20)
}

let seq = 0

/** Writes whole under a temporary name, then renames: the reporter never reads half a file. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, path)
}

export function sendDigest(dir: string, key: string, d: BlockDigest): void {
  // Time first, so the reporter reads a test's digests in the order they were written.
  writeAtomic(join(dir, `${key}.${Date.now()}-${process.pid}-${String(seq++).padStart(6, '0')}.json`), JSON.stringify(d))
}

/** The digests of the test `key`, in order; removed once read. */
export function takeDigests(dir: string, key: string): BlockDigest[] {
  let names: string[]
  try { names = readdirSync(dir) } catch { return [] }
  return names.filter((n) => n.startsWith(`${key}.`) && n.endsWith('.json')).sort().map((n) => {
    const path = join(dir, n)
    const d = JSON.parse(readFileSync(path, 'utf8')) as BlockDigest
    rmSync(path, { force: true })
    return d
  })
}

const progressDir = (dir: string) => join(dir, 'progress')

/** The progress file of one run; `send` overwrites it, `end` removes it. */
export function progressFile(dir: string, key: string): { send(f: ProgressFigures): void; end(): void } {
  const path = join(progressDir(dir), `${key}-${process.pid}-${seq++}.json`)
  return {
    send(f) {
      try { mkdirSync(progressDir(dir), { recursive: true }); writeAtomic(path, JSON.stringify(f)) } catch { /* progress is best effort */ }
    },
    end() { rmSync(path, { force: true }) },
  }
}

/** Progress files changed since they were last `seen`: each update once. */
export function freshProgress(dir: string, seen: Map<string, number>): ProgressFigures[] {
  let names: string[]
  try { names = readdirSync(progressDir(dir)) } catch { return [] }
  const out: ProgressFigures[] = []
  for (const n of names.filter((x) => x.endsWith('.json'))) {
    const path = join(progressDir(dir), n)
    try {
      const mtime = statSync(path).mtimeMs
      if (seen.get(n) === mtime) continue
      seen.set(n, mtime)
      out.push(JSON.parse(readFileSync(path, 'utf8')) as ProgressFigures)
    } catch { /* removed while we read it: its run ended */ }
  }
  return out
}
