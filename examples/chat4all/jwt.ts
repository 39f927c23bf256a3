/** Minimal HS256 JWTs for the example API (node:crypto only): enough to make a login per VU real. */
import { createHmac, timingSafeEqual } from 'node:crypto'

const b64 = (s: Buffer | string) => Buffer.from(s).toString('base64url')

export function signJwt(payload: Record<string, unknown>, secret: string): string {
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = b64(JSON.stringify(payload))
  return `${head}.${body}.${b64(createHmac('sha256', secret).update(`${head}.${body}`).digest())}`
}

/** The payload when the signature is valid and it has not expired, else null. */
export function verifyJwt(token: string, secret: string): Record<string, unknown> | null {
  const [head, body, sig] = token.split('.')
  if (!head || !body || !sig) return null
  const want = createHmac('sha256', secret).update(`${head}.${body}`).digest()
  const got = Buffer.from(sig, 'base64url')
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>
  return typeof payload['exp'] === 'number' && payload['exp'] * 1000 < Date.now() ? null : payload
}
