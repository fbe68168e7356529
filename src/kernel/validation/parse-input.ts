import * as v from 'valibot'
import { invalid, type Failure, type FieldIssue } from '../result.ts'
import { isStorableText, stripUnstorable } from './pg-text.ts'

const CODE_FOR: Record<string, string> = {
  object: 'invalid_type',
  string: 'invalid_type',
  boolean: 'invalid_type',
  number: 'invalid_type',
  max_length: 'too_long',
  min_length: 'too_short',
  non_empty: 'required',
  regex: 'invalid_format',
  check: 'invalid_format',
  email: 'invalid_format',
  uuid: 'invalid_format',
}

/** Valibot's own wording ("Invalid key: Expected …") is for programmers; fields get a sentence. */
function ownMessage(code: string, issue: v.BaseIssue<unknown>): string {
  if (!issue.message.startsWith('Invalid ')) return issue.message
  if (code === 'required') return 'This field is required.'
  if (code === 'invalid_type') return `This field must be a ${issue.expected === 'Object' ? 'object' : (issue.expected ?? 'value of another type')}.`
  return 'This value is not valid.'
}

export function toFieldIssues(issues: readonly v.BaseIssue<unknown>[]): FieldIssue[] {
  return issues.map((issue) => {
    const code = issue.input === undefined && issue.kind === 'schema' ? 'required' : (CODE_FOR[issue.type] ?? 'invalid')
    return { field: v.getDotPath(issue) ?? 'input', code, message: ownMessage(code, issue) }
  })
}

/**
 * Every string (keys included) in untrusted input that PostgreSQL text cannot hold: NUL, lone
 * surrogates. Such a value is refused as `invalid_characters` on its field, before anything else
 * looks at it, so it can never reach SQL as an error (a 500) or be silently altered by a driver.
 */
export function unstorableFields(input: unknown, path = ''): FieldIssue[] {
  const found: FieldIssue[] = []
  const walk = (value: unknown, at: string, depth: number) => {
    if (typeof value === 'string') {
      if (!isStorableText(value)) found.push({ field: at || 'input', code: 'invalid_characters', message: 'This contains characters that cannot be stored (such as a NUL byte).' })
    } else if (value !== null && typeof value === 'object' && depth < 32 && found.length < 50) {
      for (const [key, inner] of Object.entries(value)) {
        const next = at ? `${at}.${key}` : key
        if (!isStorableText(key)) found.push({ field: at || 'input', code: 'invalid_characters', message: 'A key contains characters that cannot be stored (such as a NUL byte).' })
        else walk(inner, next, depth + 1)
      }
    }
  }
  walk(input, path, 0)
  return found
}

/**
 * Parses untrusted input; never throws for bad input, whatever its type or size. Every field's
 * problems are reported at once (one issue per field: the first of its pipe).
 */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): { ok: true; value: v.InferOutput<S> } | Failure<'invalid'> {
  input = withRecordableUserAgent(input)
  const unstorable = unstorableFields(input ?? {})
  if (unstorable.length) return invalid(unstorable)
  const result = v.safeParse(schema, input ?? {}, { abortPipeEarly: true })
  return result.success ? { ok: true, value: result.output } : invalid(toFieldIssues(result.issues))
}

/** A user agent is recorded, never refused: what PostgreSQL cannot store is dropped from it. */
function withRecordableUserAgent(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input
  const userAgent = (input as { userAgent?: unknown }).userAgent
  return typeof userAgent === 'string' && !isStorableText(userAgent) ? { ...input, userAgent: stripUnstorable(userAgent) } : input
}

/** Caps before any work so a 10 MB value is refused cheaply. */
export const PASSWORD_INPUT = v.pipe(v.string('Password must be a string.'), v.maxLength(1024, 'Password is too long.'))
export const EMAIL_INPUT = v.pipe(v.string('Email must be a string.'), v.maxLength(320, 'Email is too long.'))
export const META_INPUT = {
  ip: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
  userAgent: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(2048)))),
}
