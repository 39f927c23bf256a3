/**
 * A service's output as lines: the last `limit` kept (for `logs()` and for the error of a service
 * that never became ready), and listeners for the `log` readiness check. Each stream keeps its own
 * unfinished line, so stdout and stderr chunks never splice into one line.
 */
export class LogLines {
  readonly #limit: number
  readonly #lines: string[] = []
  readonly #partial = new Map<string, string>()
  readonly #listeners = new Set<(line: string) => void>()

  constructor(limit: number) {
    this.#limit = limit
  }

  /** Adds a chunk of `stream`'s output. */
  write(stream: string, chunk: Buffer | string): void {
    const text = (this.#partial.get(stream) ?? '') + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'))
    const parts = text.split('\n')
    this.#partial.set(stream, parts.pop() ?? '')
    for (const part of parts) this.#add(part.endsWith('\r') ? part.slice(0, -1) : part)
  }

  /** Ends every stream's unfinished line (the process exited or the log stream closed). */
  flush(): void {
    for (const [stream, rest] of this.#partial) {
      if (rest !== '') this.#add(rest)
      this.#partial.set(stream, '')
    }
  }

  /** Adds a line of loadspec's own about the service (`[loadspec] exited with code 1`). */
  note(text: string): void {
    this.#add(`[loadspec] ${text}`)
  }

  lines(): readonly string[] {
    return [...this.#lines]
  }

  tail(n: number): readonly string[] {
    return this.#lines.slice(-n)
  }

  /** Calls `listener` for every line from now on; returns the unsubscribe. */
  onLine(listener: (line: string) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #add(line: string): void {
    this.#lines.push(line)
    if (this.#lines.length > this.#limit) this.#lines.splice(0, this.#lines.length - this.#limit)
    for (const listener of this.#listeners) listener(line)
  }
}
