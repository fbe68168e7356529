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

const ONE_FIELD = 'One field needs attention: see the message next to it.'

/**
 * Turns a failure into sentences: field issues go next to the form's own `fields`; issues about
 * anything else join the summary, so nothing is silently dropped. `placed` names the field an
 * error code is about (`invalid_current_password` → `current`): its sentence goes there instead of
 * the summary, which then only points to the fields, so no sentence is shown twice.
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
  const at = Object.hasOwn(placed, failure.error) && fields.includes(placed[failure.error]!) ? placed[failure.error]! : null
  const marked = new Set([...(at ? [at] : []), ...issues.map((i) => i.field).filter((f) => fields.includes(f))])
  const pointer = marked.size === 1 ? ONE_FIELD : errorMessage('invalid')
  const lead = at ? pointer : failure.error === 'invalid' && marked.size > 0 ? pointer : message
  return {
    summary: [lead, ...stray].join(' '),
    field: (name) => [...(at === name ? [message] : []), ...issues.filter((i) => i.field === name).map((i) => fieldMessage(i, rules))],
  }
}
