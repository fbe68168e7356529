/** Where a command reads and writes: the process's streams, or a test's. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }
  env: NodeJS.ProcessEnv
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }
}

/**
 * The operator commands' exit codes: 0 done; 1 refused by the domain (the error code is printed,
 * e.g. `last_owner`); 2 usage (unknown flag, missing argument, missing environment); 3 the admin
 * feature is not enabled in the config; 4 could not run (database unreachable, a failure thrown).
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, noAdmin: 3, failed: 4 } as const

/** Text from the database, made safe for a terminal: control and bidirectional-override characters become '?'. */
export function printable(value: unknown): string {
  return String(value ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?')
}

/** Writes one line (or more) to a stream. */
export function say(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** Left-aligned columns, a header row first, every cell terminal-safe. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cells = [header, ...rows].map((row) => row.map(printable))
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)))
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n')
}
