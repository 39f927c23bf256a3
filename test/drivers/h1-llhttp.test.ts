/**
 * Differential test: our own HTTP/1.1 response parser (h1-connection.ts) against llhttp, driven
 * through Node's own http client. Both read the same bytes, split at the same offsets, from one
 * loopback server (h1-wire-harness.ts) and must agree on the framing: accepted or rejected, status
 * and body of the final response, whether the end was known before the server closed, and whether
 * the connection was kept and what the next response on it was. Cases come from a seeded
 * generator (h1-wire-cases.ts): the same cases on every run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { generate, prng, type WireCase } from './h1-wire-cases.ts'
import { WireHarness, type Outcome } from './h1-wire-harness.ts'

const CASES = Number(process.env.H1_CASES ?? 3000)
const SEED = Number(process.env.H1_SEED ?? 0x5eed)

let harness: WireHarness
beforeAll(async () => { harness = new WireHarness(); await harness.start() })
afterAll(async () => { await harness.stop() })

/** An outcome as one comparable line. */
function show(o: Outcome): string {
  const e = (x: Outcome['first'] | null) => (x === null ? '-' : x.ok ? `${x.status}:${JSON.stringify(x.body.length > 40 ? `${x.body.slice(0, 20)}…(${x.body.length} bytes)` : x.body)}` : 'rejected')
  return `${e(o.first)} ended-before-close=${o.endedBeforeClose} reused=${o.reused} next=${e(o.second)}`
}

/** What kind of outcome, to check the cases cover every kind. */
function kind(o: Outcome): string {
  if (!o.first.ok) return o.endedBeforeClose ? 'rejected' : 'rejected at close'
  if (!o.endedBeforeClose) return 'accepted at close'
  return o.reused ? 'accepted, kept' : 'accepted, closed'
}

function wireCase(wire: string, method: 'GET' | 'HEAD' = 'GET', cuts: number[] = []): WireCase {
  return { labels: [], method, wire: Buffer.from(wire, 'latin1'), cuts }
}

async function both(c: WireCase): Promise<{ ours: Outcome; node: Outcome }> {
  return { ours: await harness.ours(c), node: await harness.node(c) }
}

describe('our HTTP/1.1 response parser agrees with llhttp (Node\'s client)', () => {
  test(`${CASES} generated and mutated responses, split at random offsets`, async () => {
    const rng = prng(SEED)
    const diffs: string[] = []
    const kinds: Record<string, number> = {}
    for (let i = 0; i < CASES; i++) {
      const c = generate(rng)
      const { ours, node } = await both(c)
      kinds[kind(node)] = (kinds[kind(node)] ?? 0) + 1
      if (show(ours) !== show(node)) {
        diffs.push(`#${i} [${c.labels.join(' | ')}] ${c.method} cuts=${c.cuts.join(',')}\n  ${JSON.stringify(c.wire.toString('latin1').slice(0, 200))}\n  ours: ${show(ours)}\n  node: ${show(node)}`)
      }
    }
    expect(diffs.slice(0, 10).join('\n'), `${diffs.length} of ${CASES} cases disagree (seed ${SEED})`).toBe('')
    // The cases reach every outcome, each in a fair share: a generator gone blind would show here.
    for (const k of ['accepted, kept', 'accepted, closed', 'accepted at close', 'rejected', 'rejected at close']) {
      expect(kinds[k] ?? 0, `${k} (${JSON.stringify(kinds)})`).toBeGreaterThan(CASES * 0.01)
    }
  }, 120_000)

  test('the header size limit falls where Node\'s does (reason, names and values count, up to 16 KiB)', async () => {
    const verdicts = new Set<boolean>()
    for (let n = 16_330; n <= 16_400; n++) {
      const c = wireCase(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Big: ${'v'.repeat(n)}\r\n\r\nok`)
      const { ours, node } = await both(c)
      expect(show(ours), `X-Big of ${n} bytes`).toBe(show(node))
      verdicts.add(node.first.ok)
    }
    expect([...verdicts].sort()).toEqual([false, true])
  })

  // Each rule, with what both must make of it: the rules in words, checked against Node as well.
  test.each([
    ['content-length framing, connection kept', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 'accepted, kept'],
    ['chunked with extensions and trailers', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;a=b;c="x y"\r\nok\r\n0\r\nX-T: 1\r\n\r\n', 'accepted, kept'],
    ['chunked as the last of several codings', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', 'accepted, kept'],
    ['a coding after chunked: the body runs to the close', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nok', 'accepted at close'],
    ['no framing: the body runs to the close', 'HTTP/1.1 200 OK\r\n\r\nuntil close', 'accepted at close'],
    ['interim 100 and 103 are skipped', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n', 'accepted, kept'],
    ['an unasked-for 101 is the final response', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', 'accepted, kept'],
    ['connection tokens: close anywhere in the list', 'HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 2\r\n\r\nok', 'accepted, closed'],
    ['HTTP/1.0 keeps the connection only when asked', 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok', 'accepted, kept'],
    ['content-length with transfer-encoding', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', 'rejected'],
    ['a duplicate content-length, even with the same value', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok', 'rejected'],
    ['a content-length list', 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok', 'rejected'],
    ['an empty transfer-encoding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\nContent-Length: 2\r\n\r\nok', 'rejected'],
    ['bare LF line ends', 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok', 'rejected'],
    ['whitespace before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok', 'rejected'],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 2\r\n\r\nok', 'rejected'],
    ['a control character in a value', 'HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 2\r\n\r\nok', 'rejected'],
    ['a space after the chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\nok\r\n0\r\n\r\n', 'rejected'],
    ['chunk data not followed by CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n', 'rejected'],
    ['bytes after a response that closes the connection', 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nokX', 'rejected'],
    ['garbage after a kept response', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokX', 'rejected'],
    ['a second, unasked-for response ends the connection', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'accepted, closed'],
    ['a body cut short by the close', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok', 'rejected at close'],
  ])('%s', async (_rule, wire, expected) => {
    // Split inside the status line and half way, so no rule depends on whole reads. (Bytes after a
    // response count only in the read that ends it: the server writes no piece after the end.)
    const c = wireCase(wire, 'GET', [5, Math.floor(wire.length / 2)])
    const { ours, node } = await both(c)
    expect(kind(node)).toBe(expected)
    expect(show(ours)).toBe(show(node))
  })

  test('a HEAD response without framing fields has no body and ends its connection, as in Node', async () => {
    const { ours, node } = await both(wireCase('HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n', 'HEAD'))
    expect(kind(node)).toBe('accepted, closed')
    expect(show(ours)).toBe(show(node))
  })
})
