/**
 * The stack of an exception a VU function threw, as the user wrote the code: for the exception
 * samples of a result and Locust's `_exceptions.csv` traceback.
 *
 * Only the frames above loadspec's VU loop are kept: below it the stack says how loadspec got
 * there, which differs between a VU's first and later iterations and would split one throw site
 * into several samples. In a pool worker the VU function runs from a bundle, so its frames name
 * the bundle's lines; they are mapped back through the bundle's inline source map, read from disk
 * on the first exception only (no flag or cost for runs that throw nothing).
 */
import { readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The VU loop's frame (`Vu.iterate` in ./vu.ts): what lies below it is loadspec's. */
const LOOP_FRAME = /^\s+at (?:async )?Vu\.iterate /
const FRAME = /^(\s+at (?:async )?)(?:(.*?) \()?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)(\)?)$/
const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/

/** Bundles' source maps by file URL (null: the file has no inline map). */
const maps = new Map<string, SourceMap | null>()

/** The user's frames of `err` (`    at …` lines), mapped to their sources; undefined without any. */
export function vuStack(err: Error): string | undefined {
  const frames: string[] = []
  for (const line of (err.stack ?? '').split('\n')) {
    if (LOOP_FRAME.test(line)) break
    if (/^\s+at /.test(line)) frames.push(mapFrame(line))
  }
  return frames.length ? frames.join('\n') : undefined
}

function mapFrame(line: string): string {
  const m = FRAME.exec(line)
  if (!m) return line
  const [, at, fn, location, row, col, close] = m as unknown as [string, string, string | undefined, string, string, string, string]
  const url = location.startsWith('file://') ? location : pathToFileURL(location).href
  const map = mapOf(url)
  const origin = map?.findOrigin(Number(row), Number(col))
  if (!origin || !('fileName' in origin)) return line
  const file = fileURLToPath(new URL(origin.fileName, url))
  const where = `${file}:${origin.lineNumber}:${origin.columnNumber}`
  return fn !== undefined ? `${at}${fn} (${where}${close}` : `${at}${where}`
}

function mapOf(url: string): SourceMap | null {
  let map = maps.get(url)
  if (map !== undefined) return map
  map = null
  try {
    const m = INLINE_MAP.exec(readFileSync(fileURLToPath(url), 'utf8'))
    if (m) map = new SourceMap(JSON.parse(Buffer.from(m[1] as string, 'base64').toString('utf8')) as SourceMapPayload)
  } catch { /* unreadable or not a map: frames stay as they are */ }
  maps.set(url, map)
  return map
}
