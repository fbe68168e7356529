import type { FieldIssue } from '../kernel/result.ts'
import { errorMessage } from './error-messages.ts'
import { fieldMessage, type FieldRules } from './field-messages.ts'

/** A failed domain answer, as far as a form shows it. */
export interface FormFailure {
  error: string
  issues?: FieldIssue[]
  retryAfter?: number
}

export interface FormErrors {
  /** The sentence above the form, or null when nothing failed. */
  summary: string | null
  /** Sentences for one field (shown next to it). */
  field(name: string): string[]
}

/**
 * Turns a failure into sentences: field issues go next to the form's own `fields`; issues about
 * anything else join the summary, so nothing is silently dropped. `placed` names the field an
 * error code is about (`invalid_current_password` → `current`): its sentence goes there too.
 */
export function formErrors(
  failure: FormFailure | null | undefined,
  rules: FieldRules,
  fields: readonly string[] = [],
  placed: Readonly<Record<string, string>> = {},
): FormErrors {
  if (!failure) return { summary: null, field: () => [] }
  const issues = failure.issues ?? []
  const stray = issues.filter((i) => !fields.includes(i.field)).map((i) => fieldMessage(i, rules))
  const message = errorMessage(failure.error, failure.retryAfter)
  const summary = [message, ...stray].join(' ')
  return {
    summary,
    field: (name) => [
      ...(Object.hasOwn(placed, failure.error) && placed[failure.error] === name ? [message] : []),
      ...issues.filter((i) => i.field === name).map((i) => fieldMessage(i, rules)),
    ],
  }
}
