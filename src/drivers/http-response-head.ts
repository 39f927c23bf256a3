/**
 * The grammar of an HTTP/1.1 response head, chunk-size line and trailer section as llhttp (Node's
 * and undici's parser) accepts them in its strict mode, so our own connection (h1-connection.ts)
 * frames and rejects responses exactly as Node's client does (test/drivers/h1-llhttp.test.ts).
 * The rules mirror llhttp's `src/llhttp/http.ts` and `src/native/http.c`: CRLF line ends only,
 * token header names with the colon right after them, no obs-fold, visible characters in values,
 * one content-length of digits, never content-length with transfer-encoding, chunked only as the
 * last transfer coding, connection tokens in a list.
 *
 * Scanners work on a latin1 string (one character per byte) and answer without allocating: a
 * negative number is an error (message in `scan.error`), 0 means the input ended before the
 * construct did, a positive number is the offset just after it. Details land in `scan`, reused.
 */

/** Header flags, as llhttp's F_* flags. */
export const F_CHUNKED = 1
export const F_TRANSFER_ENCODING = 2
export const F_CONTENT_LENGTH = 4
export const F_CLOSE = 8
export const F_KEEP_ALIVE = 16
export const F_CONNECTION_UPGRADE = 32
export const F_UPGRADE = 64

/** Node's default `maxHeaderSize`: the bytes of the reason phrase, header names and values it counts. */
export const MAX_HEADER_BYTES = 16 * 1024

export const ERROR = -1
export const INCOMPLETE = 0

/** What the last scan found. */
export const scan = {
  error: '',
  /** undici/llhttp error code of the error (HPE_*). */
  code: '',
  status: 0,
  major: 0,
  minor: 0,
  flags: 0,
  contentLength: 0,
  /** Reason phrase bounds in the scanned string. */
  reasonStart: 0,
  reasonEnd: 0,
  /** Where the header lines start (after the status line). */
  fieldsStart: 0,
  /** Size of a chunk-size line. */
  chunkSize: 0,
}

const TOKEN = new Uint8Array(256)
const VALUE = new Uint8Array(256)
const HEX = new Int8Array(256).fill(-1)
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1
for (let c = 0; c < 256; c++) {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
  if (alnum) TOKEN[c] = 1
  // HTAB, SP, VCHAR and obs-text: what llhttp allows in a header value.
  if (c === 0x09 || (c >= 0x20 && c <= 0x7e) || c >= 0x80) VALUE[c] = 1
  if (c >= 0x30 && c <= 0x39) HEX[c] = c - 0x30
  else if (c >= 0x41 && c <= 0x46) HEX[c] = c - 0x41 + 10
  else if (c >= 0x61 && c <= 0x66) HEX[c] = c - 0x61 + 10
}
/** In chunk-extension quoted strings: HTAB, SP, VCHAR except `"` and `\`, obs-text. */
const QDTEXT = new Uint8Array(256)
for (let c = 0; c < 256; c++) if (c === 0x09 || c === 0x20 || (c >= 0x21 && c <= 0x7e && c !== 0x22 && c !== 0x5c) || c >= 0x80) QDTEXT[c] = 1

function fail(code: string, message: string): number {
  scan.code = code
  scan.error = message
  return ERROR
}

/** Skips the CR and LF llhttp allows before a message. */
export function skipEmptyLines(s: string, i: number, n: number): number {
  while (i < n) { const c = s.charCodeAt(i); if (c !== 13 && c !== 10) break; i++ }
  return i
}

/**
 * A response head from `i` (after any CR/LF before it): status line, header lines, empty line.
 * Returns the offset after the head, INCOMPLETE, or ERROR (as soon as llhttp would see it).
 */
export function scanHead(s: string, i: number, n: number): number {
  scan.flags = 0
  scan.contentLength = 0
  // Protocol: llhttp takes HTTP, RTSP or ICE, then "/".
  const c0 = i < n ? s.charCodeAt(i) : -1
  const proto = c0 === 0x48 ? 'HTTP/' : c0 === 0x52 ? 'RTSP/' : c0 === 0x49 ? 'ICE/' : null
  if (c0 === -1) return INCOMPLETE
  if (proto === null) return fail('HPE_INVALID_CONSTANT', 'Expected HTTP/')
  for (let k = 1; k < proto.length; k++) {
    if (i + k >= n) return INCOMPLETE
    if (s.charCodeAt(i + k) !== proto.charCodeAt(k)) return fail('HPE_INVALID_CONSTANT', 'Expected HTTP/')
  }
  i += proto.length
  // Version: digit "." digit, one of 0.9, 1.0, 1.1, 2.0, then one space.
  if (i >= n) return INCOMPLETE
  const major = s.charCodeAt(i) - 0x30
  if (major < 0 || major > 9) return fail('HPE_INVALID_VERSION', 'Invalid major version')
  if (i + 1 >= n) return INCOMPLETE
  if (s.charCodeAt(i + 1) !== 0x2e) return fail('HPE_INVALID_VERSION', 'Expected dot')
  if (i + 2 >= n) return INCOMPLETE
  const minor = s.charCodeAt(i + 2) - 0x30
  if (minor < 0 || minor > 9) return fail('HPE_INVALID_VERSION', 'Invalid minor version')
  if (!((major === 0 && minor === 9) || (major === 1 && minor <= 1) || (major === 2 && minor === 0))) return fail('HPE_INVALID_VERSION', 'Invalid HTTP version')
  if (i + 3 >= n) return INCOMPLETE
  if (s.charCodeAt(i + 3) !== 0x20) return fail('HPE_INVALID_VERSION', 'Expected space after version')
  i += 4
  scan.major = major
  scan.minor = minor
  // Status: exactly three digits, then a space and a reason phrase (any bytes but CR and LF) or CRLF.
  let status = 0
  for (let k = 0; k < 3; k++, i++) {
    if (i >= n) return INCOMPLETE
    const d = s.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) return fail('HPE_INVALID_STATUS', 'Invalid status code')
    status = status * 10 + d
  }
  scan.status = status
  if (i >= n) return INCOMPLETE
  let c = s.charCodeAt(i)
  let counted = 0
  if (c === 0x20) {
    i++
    scan.reasonStart = i
    while (i < n) { c = s.charCodeAt(i); if (c === 13 || c === 10) break; i++ }
    scan.reasonEnd = i
    counted = i - scan.reasonStart
    if (counted >= MAX_HEADER_BYTES) return fail('HPE_HEADER_OVERFLOW', 'Header overflow')
    if (i >= n) return INCOMPLETE
    if (c === 10) return fail('HPE_CR_EXPECTED', 'Missing expected CR after response line')
  } else if (c !== 13) return fail('HPE_INVALID_STATUS', 'Invalid response status')
  else { scan.reasonStart = i; scan.reasonEnd = i }
  if (i + 1 >= n) return INCOMPLETE
  if (s.charCodeAt(i + 1) !== 10) return fail('HPE_STRICT', 'Expected LF after CR')
  i += 2
  scan.fieldsStart = i
  if (i < n && s.charCodeAt(i) === 0x20) return fail('HPE_UNEXPECTED_SPACE', 'Unexpected space after start line')
  return scanFields(s, i, n, counted)
}

/**
 * Header (or trailer) lines from `i` to the empty line that ends them. Sets the framing flags
 * and content-length in `scan` (flags accumulate, as llhttp's do over head and trailers).
 */
export function scanFields(s: string, i: number, n: number, counted = 0): number {
  for (;;) {
    if (i >= n) return INCOMPLETE
    let c = s.charCodeAt(i)
    if (c === 13) {
      if (i + 1 >= n) return INCOMPLETE
      if (s.charCodeAt(i + 1) !== 10) return fail('HPE_STRICT', 'Expected LF after headers')
      return i + 2
    }
    if (c === 10) return fail('HPE_INVALID_HEADER_TOKEN', 'Invalid header field char')
    // Field name: token characters and the colon right after them.
    const nameStart = i
    while (i < n && TOKEN[s.charCodeAt(i)] === 1) i++
    if (i >= n) return (counted + i - nameStart >= MAX_HEADER_BYTES) ? fail('HPE_HEADER_OVERFLOW', 'Header overflow') : INCOMPLETE
    if (s.charCodeAt(i) !== 0x3a || i === nameStart) return fail('HPE_INVALID_HEADER_TOKEN', 'Invalid header token')
    const nameLength = i - nameStart
    counted += nameLength
    const special = specialHeader(s, nameStart, nameLength)
    if (special === TE && scan.flags & F_CONTENT_LENGTH) return fail('HPE_INVALID_TRANSFER_ENCODING', "Transfer-Encoding can't be present with Content-Length")
    if (special === CL && scan.flags & F_TRANSFER_ENCODING) return fail('HPE_INVALID_CONTENT_LENGTH', "Content-Length can't be present with Transfer-Encoding")
    i++
    // Value: leading SP/HTAB dropped, then value characters up to CRLF.
    while (i < n && ((c = s.charCodeAt(i)) === 0x20 || c === 0x09)) i++
    const valueStart = i
    while (i < n && VALUE[s.charCodeAt(i)] === 1) i++
    const valueEnd = i
    counted += valueEnd - valueStart
    if (counted >= MAX_HEADER_BYTES) return fail('HPE_HEADER_OVERFLOW', 'Header overflow')
    if (i >= n) return INCOMPLETE
    c = s.charCodeAt(i)
    if (c === 10) return fail('HPE_CR_EXPECTED', 'Missing expected CR after header value')
    if (c !== 13) return fail('HPE_INVALID_HEADER_TOKEN', 'Invalid header value char')
    if (i + 1 >= n) return INCOMPLETE
    if (s.charCodeAt(i + 1) !== 10) return fail('HPE_LF_EXPECTED', 'Missing expected LF after header value')
    i += 2
    // A line starting with whitespace would continue this one (obs-fold): llhttp refuses it.
    if (i >= n) return INCOMPLETE
    c = s.charCodeAt(i)
    if (c === 0x20 || c === 0x09) return fail('HPE_INVALID_HEADER_TOKEN', 'Unexpected whitespace after header value')
    if (special !== 0 && valueField(s, special, valueStart, valueEnd) === ERROR) return ERROR
  }
}

const CONNECTION = 1
const CL = 2
const TE = 3
const UPGRADE = 4

/** Which framing field the name at `from` is, compared in place (a slice and toLowerCase per field cost more). */
function specialHeader(s: string, from: number, length: number): number {
  switch (length) {
    case 7: return sameLower(s, from, 'upgrade') ? UPGRADE : 0
    case 10: return sameLower(s, from, 'connection') ? CONNECTION : 0
    case 14: return sameLower(s, from, 'content-length') ? CL : 0
    case 16: return sameLower(s, from, 'proxy-connection') ? CONNECTION : 0
    case 17: return sameLower(s, from, 'transfer-encoding') ? TE : 0
    default: return 0
  }
}

/** Whether `s` at `from` spells `lower` in any case (token characters only, so `| 0x20` lowers letters). */
function sameLower(s: string, from: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    const c = lower.charCodeAt(k)
    const d = s.charCodeAt(from + k)
    if (d !== c && (d | 0x20) !== c) return false
  }
  return true
}

/** The meaning of a framing field's value (`from`–`to`, leading whitespace already dropped). */
function valueField(s: string, kind: number, from: number, to: number): number {
  if (kind === CL) {
    if (from === to) return fail('HPE_INVALID_CONTENT_LENGTH', 'Empty Content-Length')
    if (scan.flags & F_CONTENT_LENGTH) return fail('HPE_UNEXPECTED_CONTENT_LENGTH', 'Duplicate Content-Length')
    let i = from
    let n = 0
    for (; i < to; i++) {
      const d = s.charCodeAt(i) - 0x30
      if (d < 0 || d > 9) break
      n = n * 10 + d
      // llhttp allows up to 2^64 - 1; a length past 2^53 cannot be counted here and is refused too.
      if (n > Number.MAX_SAFE_INTEGER) return fail('HPE_INVALID_CONTENT_LENGTH', 'Content-Length overflow')
    }
    for (; i < to; i++) { const c = s.charCodeAt(i); if (c !== 0x20 && c !== 0x09) return fail('HPE_INVALID_CONTENT_LENGTH', 'Invalid character in Content-Length') }
    scan.flags |= F_CONTENT_LENGTH
    scan.contentLength = n
    return 0
  }
  if (from === to) {
    // Node's llhttp refuses an empty transfer-encoding; other empty values set no flag.
    return kind === TE ? fail('HPE_INVALID_TRANSFER_ENCODING', 'Empty Transfer-Encoding') : 0
  }
  if (kind === UPGRADE) { scan.flags |= F_UPGRADE; return 0 }
  const v = s.slice(from, to).toLowerCase()
  if (kind === TE) {
    // Several transfer-encoding fields make one list; chunked counts only as its last coding.
    scan.flags = (scan.flags | F_TRANSFER_ENCODING) & ~F_CHUNKED
    const comma = v.lastIndexOf(',')
    let at = comma + 1
    if (comma !== -1) while (at < v.length && (v.charCodeAt(at) === 0x20 || v.charCodeAt(at) === 0x09)) at++
    if (v.startsWith('chunked', at)) {
      let k = at + 7
      while (k < v.length && v.charCodeAt(k) === 0x20) k++
      if (k === v.length) scan.flags |= F_CHUNKED
    }
    return 0
  }
  // Connection: a list of tokens; close, keep-alive and upgrade count wherever they are.
  if (v === 'keep-alive') { scan.flags |= F_KEEP_ALIVE; return 0 }
  if (v === 'close') { scan.flags |= F_CLOSE; return 0 }
  for (const token of v.split(',')) {
    const t = token.replace(/^[ \t]+|[ \t]+$/g, '')
    if (t === 'close') scan.flags |= F_CLOSE
    else if (t === 'keep-alive') scan.flags |= F_KEEP_ALIVE
    else if (t === 'upgrade') scan.flags |= F_CONNECTION_UPGRADE
  }
  return 0
}

/**
 * A chunk-size line from `i`: hex digits, optional `;name[=value]` extensions (token or quoted
 * values), CRLF. Sets `scan.chunkSize`.
 */
export function scanChunkSize(s: string, i: number, n: number): number {
  let size = 0
  const start = i
  for (; i < n; i++) {
    const h = HEX[s.charCodeAt(i)] as number
    if (h < 0) break
    size = size * 16 + h
    if (size > Number.MAX_SAFE_INTEGER) return fail('HPE_INVALID_CHUNK_SIZE', 'Chunk size overflow')
  }
  if (i >= n) return INCOMPLETE
  if (i === start) return fail('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size')
  scan.chunkSize = size
  let c = s.charCodeAt(i)
  if (c === 0x3b) {
    // Extensions: ";" name ["=" (token | quoted-string)], repeated.
    for (;;) {
      i++ // past ";"
      if (i >= n) return INCOMPLETE
      c = s.charCodeAt(i)
      if (c === 0x20 || c === 13) return fail('HPE_STRICT', 'Invalid character in chunk extensions')
      while (i < n && TOKEN[s.charCodeAt(i)] === 1) i++
      if (i >= n) return INCOMPLETE
      c = s.charCodeAt(i)
      if (c === 0x3d) {
        i++
        let quoted = false
        for (; i < n; i++) {
          c = s.charCodeAt(i)
          if (quoted) {
            if (c === 0x22) { quoted = false; i++; break }
            if (c === 0x5c) { i++; if (i >= n) return INCOMPLETE; const q = s.charCodeAt(i); if (!(q === 0x09 || (q >= 0x20 && q !== 0x7f))) return fail('HPE_STRICT', 'Invalid quoted-pair in chunk extensions quoted value'); continue }
            if (QDTEXT[c] !== 1) return fail('HPE_STRICT', 'Invalid character in chunk extensions quoted value')
          } else if (c === 0x22) quoted = true
          else if (TOKEN[c] !== 1) break
        }
        if (i >= n) return INCOMPLETE
        c = s.charCodeAt(i)
        if (quoted) return INCOMPLETE
      }
      if (c === 0x3b) continue
      if (c === 13) break
      if (c === 10) return fail('HPE_CR_EXPECTED', 'Missing expected CR after chunk extension')
      return fail('HPE_STRICT', 'Invalid character in chunk extensions')
    }
  } else if (c === 10) return fail('HPE_CR_EXPECTED', 'Missing expected CR after chunk size')
  else if (c !== 13) return fail('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size')
  if (i + 1 >= n) return INCOMPLETE
  if (s.charCodeAt(i + 1) !== 10) return fail('HPE_STRICT', 'Expected LF after chunk size')
  return i + 2
}

/**
 * Whether a response's length is only known at the end of the connection, as llhttp decides it
 * when its head is complete (llhttp_message_needs_eof), before Node's client tells it to skip the
 * body of a response to HEAD: so a HEAD response without framing fields ends its connection.
 */
export function needsEof(status: number, flags: number): boolean {
  if ((status >= 100 && status < 200) || status === 204 || status === 304) return false
  if (flags & F_TRANSFER_ENCODING && (flags & F_CHUNKED) === 0) return true
  return (flags & (F_CHUNKED | F_CONTENT_LENGTH)) === 0
}

/**
 * Whether a response with these headers is kept alive (llhttp_should_keep_alive): HTTP/1.1 unless
 * `connection: close`; older (and 2.0, whose minor is 0) only with `connection: keep-alive`.
 */
export function keepsAlive(major: number, minor: number, flags: number): boolean {
  return major > 0 && minor > 0 ? (flags & F_CLOSE) === 0 : (flags & F_KEEP_ALIVE) !== 0
}
