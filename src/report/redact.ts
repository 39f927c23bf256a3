/**
 * Credentials never reach a file or a terminal: Authorization, Cookie and their kin are replaced
 * wherever loadspec writes text that came from a request, a response or an error.
 */
import type { ResultData } from '../metrics/result-data.ts'

export const REDACTED = '[redacted]'

/** Header names whose values are secrets. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token']
const HEADER_VALUE = new RegExp(`\\b(${SECRET_HEADERS.join('|')})(["']?\\s*[:=]\\s*["']?)([^"'\\r\\n]+)`, 'gi')
/** A bare scheme + credential, as it appears when a header value is printed on its own. */
const SCHEME_VALUE = /\b(Bearer|Basic|Digest)\s+[A-Za-z0-9\-._~+/=]{4,}/g

/** `text` with every credential value replaced by `[redacted]`. */
export function redactText(text: string): string {
  if (!text) return text
  return text.replace(HEADER_VALUE, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`)
    .replace(SCHEME_VALUE, (_m, scheme: string) => `${scheme} ${REDACTED}`)
}

/** True when a tag named `key` would carry a secret. */
function secretKey(key: string): boolean {
  return SECRET_HEADERS.includes(key.toLowerCase())
}

function redactTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(tags)) out[k] = secretKey(k) ? REDACTED : redactText(v)
  return out
}

/**
 * A copy of a result with every string that may hold server or user text redacted: error samples,
 * tag values, threshold reasons and the abort message. Histograms and numbers are untouched.
 */
export function redactResult(data: ResultData): ResultData {
  const m = data.metrics
  return {
    ...data,
    name: redactText(data.name),
    metrics: {
      ...m,
      series: m.series.map((s) => ({ ...s, tags: redactTags(s.tags) })),
      errors: { ...m.errors, samples: m.errors.samples.map((s) => ({ ...s, message: redactText(s.message),
        ...(s.endpoint !== undefined ? { endpoint: redactText(s.endpoint) } : {}), ...(s.stack !== undefined ? { stack: redactText(s.stack) } : {}) })) },
    },
    thresholds: data.thresholds.map((t) => ({ ...t, key: redactText(t.key), ...(t.reason !== undefined ? { reason: redactText(t.reason) } : {}) })),
    ...(data.aborted ? { aborted: { ...data.aborted, message: redactText(data.aborted.message) } } : {}),
  }
}
