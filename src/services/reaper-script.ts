/**
 * The watchdog, as the text of a plain-JS ES module (written to the runs root and run from there),
 * so it needs no file of its own next to the compiled package and no TypeScript support in Node.
 *
 * It is started detached (own session: Ctrl+C in the terminal does not reach it) with the run's
 * state directory as its argument. It polls whether the owner process (the one that called
 * `startServices`) is alive; once it is gone (killed, crashed, out of memory, or exited without
 * `stopAll`) it kills the process groups recorded in `procs/` and removes the containers labelled
 * with the run id, then the directory, and exits. It also exits when the directory disappears
 * (`stopAll` removed it). Started for a run whose owner is already dead, it cleans up at once:
 * that is how a later `startServices` removes what a crashed run left.
 *
 * A pid can be reused once its process is gone, so every pid is recorded with its start time
 * (field 22 of /proc/<pid>/stat, on Linux) and a process is only killed when that still matches.
 */
export const REAPER_SOURCE = String.raw`
import { readFileSync, readdirSync, rmSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'

const dir = process.argv[process.argv.length - 1]
const POLL_MS = 200

// Fields of /proc/<pid>/stat after the command name: [0] state, [2] process group, [19] start time.
function statFields(pid) {
  try {
    const stat = readFileSync('/proc/' + pid + '/stat', 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch { return undefined }
}
function startTime(pid) { return statFields(pid)?.[19] }
function groupOf(pid) { const g = statFields(pid)?.[2]; return g === undefined ? undefined : Number(g) }
// A zombie counts as dead: an owner killed after its own parent died may never be reaped.
function alive(pid, since) {
  try { process.kill(pid, 0) } catch (e) { if (e.code !== 'EPERM') return false }
  const f = statFields(pid)
  if (f?.[0] === 'Z' || f?.[0] === 'X') return false
  return since === undefined || f === undefined || f[19] === since
}
function readJson(path) {
  try { return JSON.parse(readFileSync(path, 'utf8')) } catch { return undefined }
}

// Kills a recorded process group: the whole group while its leader is the recorded process; when
// the leader has gone, the members of that group started after it (on Linux), never a reused id.
function killGroup(rec) {
  if (alive(rec.pid, rec.startTime)) {
    try { process.kill(-rec.pid, 'SIGKILL') } catch { try { process.kill(rec.pid, 'SIGKILL') } catch {} }
    return
  }
  if (!existsSync('/proc') || rec.startTime === undefined) return
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    if (groupOf(pid) !== rec.pid) continue
    const t = startTime(pid)
    if (t !== undefined && Number(t) >= Number(rec.startTime)) { try { process.kill(pid, 'SIGKILL') } catch {} }
  }
}

async function removeContainers(runId, marker) {
  const label = 'loadspec.run-id=' + runId
  try {
    const tc = await import(marker.testcontainers)
    const docker = (await tc.getContainerRuntimeClient()).container.dockerode
    const found = await docker.listContainers({ all: true, filters: { label: [label] } })
    await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)))
  } catch {
    // testcontainers could not be loaded or reach the engine: the docker CLI may still.
    try {
      const ids = execFileSync('docker', ['ps', '-aq', '--filter', 'label=' + label], { encoding: 'utf8', timeout: 30000 }).split(/\s+/).filter(Boolean)
      if (ids.length) execFileSync('docker', ['rm', '-f', '-v', ...ids], { stdio: 'ignore', timeout: 60000 })
    } catch {}
  }
}

async function reap(owner) {
  const procs = join(dir, 'procs')
  if (existsSync(procs)) {
    for (const file of readdirSync(procs)) {
      const rec = readJson(join(procs, file))
      if (rec && Number.isInteger(rec.pid) && rec.pid > 1) killGroup(rec)
    }
  }
  const marker = readJson(join(dir, 'containers.json'))
  if (marker) await removeContainers(owner.runId, marker)
  rmSync(dir, { recursive: true, force: true })
}

process.on('SIGTERM', () => process.exit(0))
const owner = readJson(join(dir, 'owner.json'))
if (!owner) process.exit(0)
for (;;) {
  if (!existsSync(dir)) process.exit(0)
  if (!alive(owner.pid, owner.startTime)) break
  await new Promise((r) => setTimeout(r, POLL_MS))
}
await reap(owner)
process.exit(0)
`
