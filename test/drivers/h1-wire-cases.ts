/**
 * Generated HTTP/1.1 responses for the differential test of our response parser against llhttp
 * (h1-llhttp.test.ts): well-formed ones of every framing, and mutations of the kinds parsers
 * disagree on (duplicate or conflicting content-length, transfer-encoding with content-length,
 * bare LF, chunk extensions and trailers, interim responses, huge heads, stray bytes, random byte
 * edits). Deterministic: the same seed gives the same cases.
 */

/** mulberry32: small, fast and good enough to pick test cases. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface WireCase {
  /** What went into it, for grouping disagreements. */
  readonly labels: readonly string[]
  readonly method: 'GET' | 'HEAD'
  readonly wire: Buffer
  /** Offsets where the server splits its writes (each piece is read by the client on its own). */
  readonly cuts: readonly number[]
}

type Rng = () => number

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T
const chance = (rng: Rng, p: number): boolean => rng() < p
const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1))

const BODY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789 {}":,\r\n'

function bodyBytes(rng: Rng): Buffer {
  const n = chance(rng, 0.05) ? int(rng, 2_000, 70_000) : chance(rng, 0.15) ? 0 : int(rng, 1, 300)
  const b = Buffer.allocUnsafe(n)
  const binary = chance(rng, 0.1)
  for (let i = 0; i < n; i++) b[i] = binary ? Math.floor(rng() * 256) : BODY_ALPHABET.charCodeAt(Math.floor(rng() * BODY_ALPHABET.length))
  return b
}

/** A header line as [name, value] or a raw line (already malformed). */
type Line = string

interface Built { lines: Line[]; body: Buffer; labels: string[] }

function statusLine(rng: Rng, labels: string[], code: number): string {
  const version = chance(rng, 0.9) ? pick(rng, ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0']) : pick(rng, ['HTTP/1.2', 'HTTP/2.0', 'http/1.1', 'HTTP/1.', 'HTTP/11', 'HTTP/1.1 ', 'HTTX/1.1', 'ICY'])
  if (!version.startsWith('HTTP/1.') || version.length !== 8) labels.push(`version ${JSON.stringify(version)}`)
  else if (version === 'HTTP/1.2') labels.push('version 1.2')
  const codeText = chance(rng, 0.95) ? String(code) : pick(rng, ['20', '2000', '2x0', '', '099', '600', '999'])
  if (codeText !== String(code)) labels.push(`status ${JSON.stringify(codeText)}`)
  const reason = chance(rng, 0.85) ? pick(rng, [' OK', ' Fine', ' Something Else Entirely', '']) : pick(rng, [' ', '  OK', ' OK\u0001', ' ÖK'])
  if (!/^( OK| Fine| Something Else Entirely|)$/.test(reason)) labels.push(`reason ${JSON.stringify(reason)}`)
  return `${version} ${codeText}${reason}`
}

function chunkedBody(rng: Rng, body: Buffer, labels: string[]): Buffer {
  const parts: Buffer[] = []
  let at = 0
  const mutate = chance(rng, 0.25)
  while (at < body.length) {
    const n = Math.min(body.length - at, chance(rng, 0.2) ? int(rng, 1, 3) : int(rng, 1, 2_000))
    let size = n.toString(16)
    if (chance(rng, 0.15)) { size = size.toUpperCase(); labels.push('chunk size upper case') }
    if (chance(rng, 0.05)) { size = '000' + size; labels.push('chunk size leading zeros') }
    let ext = ''
    if (chance(rng, 0.15)) { ext = pick(rng, [';a=b', ';name', ';a="quoted ; value"', ';a=b;c=d']); labels.push('chunk extension') }
    if (mutate && chance(rng, 0.3)) {
      const m = pick(rng, ['size space', 'ext space', 'bad size', 'no data crlf', 'bare lf size', 'size overflow', 'ext bad char'])
      labels.push(`chunk ${m}`)
      if (m === 'size space') size += ' '
      else if (m === 'ext space') ext = ' ;a=b'
      else if (m === 'bad size') size = pick(rng, ['zz', '-1', '0x5', ''])
      else if (m === 'size overflow') size = 'fffffffffffffffffff'
      else if (m === 'ext bad char') ext = ';a\u0001b'
      if (m === 'no data crlf') { parts.push(Buffer.from(`${size}${ext}\r\n`), body.subarray(at, at + n)); at += n; continue }
      if (m === 'bare lf size') { parts.push(Buffer.from(`${size}${ext}\n`), body.subarray(at, at + n), Buffer.from('\r\n')); at += n; continue }
    }
    parts.push(Buffer.from(`${size}${ext}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n'))
    at += n
  }
  let last = '0'
  if (chance(rng, 0.1)) { last = pick(rng, ['0;done', '00', '0 ']); labels.push(`last chunk ${JSON.stringify(last)}`) }
  let trailers = ''
  if (chance(rng, 0.2)) { trailers = pick(rng, ['X-Trailer: t\r\n', 'X-A: 1\r\nX-B: 2\r\n', 'Content-Length: 5\r\n', 'bad trailer\r\n']); labels.push(`trailers ${JSON.stringify(trailers)}`) }
  parts.push(Buffer.from(`${last}\r\n${trailers}`))
  if (!(mutate && chance(rng, 0.2))) parts.push(Buffer.from('\r\n'))
  else labels.push('chunked without final crlf')
  return Buffer.concat(parts)
}

/** The framing headers and the encoded body of one response. */
function framing(rng: Rng, code: number, method: string, labels: string[]): { lines: Line[]; payload: Buffer } {
  const body = bodyBytes(rng)
  const noBody = method === 'HEAD' || code === 204 || code === 304 || (code >= 100 && code < 200)
  const kind = pick(rng, ['length', 'length', 'length', 'chunked', 'chunked', 'none', 'both', 'odd-length', 'odd-te'] as const)
  labels.push(`framing ${kind}`)
  if (noBody) labels.push(method === 'HEAD' ? 'HEAD' : `status ${code}`)
  const payloadFor = (b: Buffer) => (noBody && chance(rng, 0.8) ? Buffer.alloc(0) : b)
  switch (kind) {
    case 'length': return { lines: [`Content-Length: ${noBody ? pick(rng, [0, body.length, 1000]) : body.length}`], payload: payloadFor(body) }
    case 'chunked': {
      const te = chance(rng, 0.8) ? 'chunked' : pick(rng, ['Chunked', 'CHUNKED', 'gzip, chunked', 'chunked, gzip', 'identity', 'chunked ', ' chunked', 'gzip,chunked', 'chunked;q=1'])
      if (te !== 'chunked') labels.push(`te ${JSON.stringify(te)}`)
      const coded = te.trim().toLowerCase().endsWith('chunked')
      return { lines: [`Transfer-Encoding: ${te}`], payload: payloadFor(coded || chance(rng, 0.5) ? chunkedBody(rng, body, labels) : body) }
    }
    case 'none': return { lines: [], payload: payloadFor(body) }
    case 'both': {
      const clFirst = chance(rng, 0.5)
      const cl = `Content-Length: ${pick(rng, [body.length, 3, 0])}`
      return { lines: clFirst ? [cl, 'Transfer-Encoding: chunked'] : ['Transfer-Encoding: chunked', cl], payload: payloadFor(chunkedBody(rng, body, labels)) }
    }
    case 'odd-length': {
      const n = body.length
      const variant = pick(rng, ['dup same', 'dup conflict', 'list same', 'list conflict', 'plus', 'spaces', 'hex', 'negative', 'empty', 'huge', 'too small', 'too big', 'inner space', 'exp', 'leading zeros', 'tab'])
      labels.push(`content-length ${variant}`)
      const lines = variant === 'dup same' ? [`Content-Length: ${n}`, `content-length: ${n}`]
        : variant === 'dup conflict' ? [`Content-Length: ${n}`, `Content-Length: ${n + 1}`]
        : variant === 'list same' ? [`Content-Length: ${n}, ${n}`]
        : variant === 'list conflict' ? [`Content-Length: ${n}, ${n + 2}`]
        : variant === 'plus' ? [`Content-Length: +${n}`]
        : variant === 'spaces' ? [`Content-Length:    ${n}   `]
        : variant === 'hex' ? [`Content-Length: 0x${n.toString(16)}`]
        : variant === 'negative' ? ['Content-Length: -1']
        : variant === 'empty' ? ['Content-Length:']
        : variant === 'huge' ? ['Content-Length: 99999999999999999999999']
        : variant === 'too small' ? [`Content-Length: ${Math.max(0, n - int(rng, 1, 5))}`]
        : variant === 'too big' ? [`Content-Length: ${n + int(rng, 1, 5)}`]
        : variant === 'inner space' ? [`Content-Length: 1 ${n}`]
        : variant === 'exp' ? ['Content-Length: 1e2']
        : variant === 'leading zeros' ? [`Content-Length: 000${n}`]
        : [`Content-Length:\t${n}\t`]
      return { lines, payload: payloadFor(body) }
    }
    case 'odd-te': {
      const variant = pick(rng, ['two te headers', 'te then identity', 'te list', 'te empty'])
      labels.push(`te ${variant}`)
      const lines = variant === 'two te headers' ? ['Transfer-Encoding: gzip', 'Transfer-Encoding: chunked']
        : variant === 'te then identity' ? ['Transfer-Encoding: chunked', 'Transfer-Encoding: identity']
        : variant === 'te list' ? ['Transfer-Encoding: chunked, chunked']
        : ['Transfer-Encoding:']
      return { lines, payload: payloadFor(chance(rng, 0.7) ? chunkedBody(rng, body, labels) : body) }
    }
  }
}

function otherHeaders(rng: Rng, labels: string[]): Line[] {
  const lines: Line[] = []
  if (chance(rng, 0.5)) lines.push('Date: Mon, 01 Dec 2026 09:00:00 GMT')
  if (chance(rng, 0.5)) lines.push(`X-Request-Id: ${Math.floor(rng() * 1e9)}`)
  if (chance(rng, 0.2)) lines.push('Content-Type: application/json; charset=utf-8')
  if (chance(rng, 0.3)) {
    const c = pick(rng, ['close', 'keep-alive', 'Keep-Alive', 'Close', 'close, foo', 'foo, close', 'upgrade', 'keep-alive, close', ''])
    labels.push(`connection ${JSON.stringify(c)}`)
    lines.push(`Connection: ${c}`)
  }
  if (chance(rng, 0.04)) { labels.push('huge header'); lines.push(`X-Big: ${'v'.repeat(chance(rng, 0.5) ? int(rng, 16_250, 16_400) : pick(rng, [4_000, 20_000, 40_000]))}`) }
  if (chance(rng, 0.02)) { labels.push('many headers'); for (let i = 0; i < pick(rng, [50, 800]); i++) lines.push(`X-H${i}: value-${i}`) }
  if (chance(rng, 0.08)) {
    const m = pick(rng, ['no colon', 'space before colon', 'obs-fold', 'empty name', 'bad name char', 'nul in value', 'bare cr in value', 'tab before value', 'no space after colon', 'high bytes in value'])
    labels.push(`header ${m}`)
    lines.push(m === 'no colon' ? 'X-Broken header'
      : m === 'space before colon' ? pick(rng, ['Content-Length : 3', 'X-A : 1'])
      : m === 'obs-fold' ? pick(rng, ['X-Folded: a', ' continued'])
      : m === 'empty name' ? ': value'
      : m === 'bad name char' ? 'X Bad: 1'
      : m === 'nul in value' ? 'X-Nul: a\u0000b'
      : m === 'bare cr in value' ? 'X-Cr: a\rb'
      : m === 'tab before value' ? 'X-Tab:\tv'
      : m === 'no space after colon' ? 'X-Tight:v'
      : 'X-High: caf\u00e9')
  }
  return lines
}

/** One response: status line, headers (framing among them at a random place), blank line, payload. */
function response(rng: Rng, method: string, code: number, labels: string[]): { head: Line[]; payload: Buffer } {
  const { lines: frame, payload } = framing(rng, code, method, labels)
  const others = otherHeaders(rng, labels)
  const at = int(rng, 0, others.length)
  return { head: [statusLine(rng, labels, code), ...others.slice(0, at), ...frame, ...others.slice(at)], payload }
}

function encode(head: Line[], payload: Buffer, rng: Rng, labels: string[]): Buffer {
  let text = ''
  const bare = chance(rng, 0.08) ? pick(rng, ['all', 'one', 'last']) : null
  if (bare) labels.push(`bare lf ${bare}`)
  const which = int(rng, 0, head.length)
  for (let i = 0; i <= head.length; i++) {
    const line = i < head.length ? head[i] as string : ''
    const lf = bare === 'all' || (bare === 'one' && i === which) || (bare === 'last' && i === head.length)
    text += line + (lf ? '\n' : '\r\n')
  }
  return Buffer.concat([Buffer.from(text, 'latin1'), payload])
}

export function generate(rng: Rng): WireCase {
  const labels: string[] = []
  const method = chance(rng, 0.1) ? 'HEAD' : 'GET'
  const parts: Buffer[] = []
  if (chance(rng, 0.12)) {
    const code = chance(rng, 0.9) ? pick(rng, [100, 102, 103]) : 101
    labels.push(`interim ${code}`)
    const head = [`HTTP/1.1 ${code} ${code === 101 ? 'Switching Protocols' : 'Continue'}`]
    if (code === 103) head.push('Link: </style.css>; rel=preload')
    parts.push(encode(head, Buffer.alloc(0), rng, labels))
  }
  const code = pick(rng, [200, 200, 200, 201, 204, 206, 301, 304, 400, 404, 429, 500, 503])
  const { head, payload } = response(rng, method, code, labels)
  parts.push(encode(head, payload, rng, labels))
  if (chance(rng, 0.1)) {
    const extra = pick(rng, ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz', 'garbage', '\r\n', 'x'])
    labels.push(`stray ${JSON.stringify(extra.slice(0, 12))}`)
    parts.push(Buffer.from(extra))
  }
  let wire = Buffer.concat(parts)
  if (chance(rng, 0.07)) {
    const at = int(rng, 0, wire.length - 1)
    const edit = pick(rng, ['replace', 'insert', 'delete'])
    const byte = pick(rng, [0x0a, 0x0d, 0x20, 0x3a, 0x00, 0x7f, 0x30, 0x41, int(rng, 0, 255)])
    labels.push(`byte ${edit}`)
    wire = edit === 'replace' ? Buffer.concat([wire.subarray(0, at), Buffer.from([byte]), wire.subarray(at + 1)])
      : edit === 'insert' ? Buffer.concat([wire.subarray(0, at), Buffer.from([byte]), wire.subarray(at)])
      : Buffer.concat([wire.subarray(0, at), wire.subarray(at + 1)])
  }
  const cuts = new Set<number>()
  const n = wire.length > 1 ? int(rng, 0, 4) : 0
  for (let i = 0; i < n; i++) cuts.add(int(rng, 1, wire.length - 1))
  if (labels.length === 0 || labels.every((l) => l.startsWith('framing '))) labels.push('well-formed')
  return { labels, method, wire, cuts: [...cuts].sort((a, b) => a - b) }
}
