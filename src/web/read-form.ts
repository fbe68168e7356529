import { readBody } from '../http/read-body.ts'

/** A submitted form: every value a string ('' when absent), nothing else. */
export interface Form {
  get(name: string): string
  has(name: string): boolean
}

/** A form over these values (a read body, or fields carried through the sudo prompt). */
export function formOf(values: ReadonlyMap<string, string>): Form {
  return { get: (name) => values.get(name) ?? '', has: (name) => values.has(name) }
}

/** Reads an urlencoded form body within the size limit; non-string values are ignored. */
export async function readForm(request: Request, maxBytes: number): Promise<{ ok: true; form: Form } | { ok: false; error: string }> {
  const read = await readBody(request, maxBytes)
  if (!read.ok) return read
  const values = new Map<string, string>()
  for (const [key, value] of Object.entries(read.body)) if (typeof value === 'string') values.set(key, value)
  return { ok: true, form: formOf(values) }
}
