/** Escaping for the two places the HTML report puts text: markup and an inline JSON data block. */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text for an element or a quoted attribute: every character HTML gives meaning to is an entity. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c] as string)
}

/**
 * JSON that can sit inside `<script type="application/json">`: `<`, `>` and `&` become \u escapes
 * so no `</script>` or `<!--` in the data can end the block, and U+2028/2029 are escaped for old parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
