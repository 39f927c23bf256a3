/** Stable identity of a series: `name{k1:v1,k2:v2}` with tag keys sorted. */
export function seriesKey(name: string, tags: Readonly<Record<string, string>> | undefined): string {
  if (!tags) return name
  const keys = Object.keys(tags)
  if (keys.length === 0) return name
  keys.sort()
  let out = name + '{'
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string
    out += (i ? ',' : '') + k + ':' + tags[k]
  }
  return out + '}'
}

/** True when every tag of `filter` is present in `tags` with the same value. */
export function tagsMatch(tags: Readonly<Record<string, string>>, filter: Readonly<Record<string, string>> | undefined): boolean {
  if (!filter) return true
  for (const k in filter) if (tags[k] !== filter[k]) return false
  return true
}
