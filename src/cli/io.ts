/** Where the command line writes: standard output and error, or a test's buffers. */
export interface Io { out(text: string): void; err(text: string): void }

export const stdio: Io = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') }
