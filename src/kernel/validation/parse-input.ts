import * as v from 'valibot'
import { invalid, type Failure, type FieldIssue } from '../result.ts'

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

export function toFieldIssues(issues: readonly v.BaseIssue<unknown>[]): FieldIssue[] {
  return issues.map((issue) => ({
    field: v.getDotPath(issue) ?? 'input',
    code: issue.input === undefined && issue.kind === 'schema' ? 'required' : (CODE_FOR[issue.type] ?? 'invalid'),
    message: issue.message,
  }))
}

/** Parses untrusted input; never throws for bad input, whatever its type or size. */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): { ok: true; value: v.InferOutput<S> } | Failure<'invalid'> {
  const result = v.safeParse(schema, input ?? {}, { abortPipeEarly: true })
  return result.success ? { ok: true, value: result.output } : invalid(toFieldIssues(result.issues))
}

/** Caps before any work so a 10 MB value is refused cheaply. */
export const PASSWORD_INPUT = v.pipe(v.string('Password must be a string.'), v.maxLength(1024, 'Password is too long.'))
export const EMAIL_INPUT = v.pipe(v.string('Email must be a string.'), v.maxLength(320, 'Email is too long.'))
export const META_INPUT = {
  ip: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
  userAgent: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(2048)))),
}
