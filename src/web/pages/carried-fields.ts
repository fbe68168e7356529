import type { Form } from '../read-form.ts'
import type { SudoAction } from '../sudo-action.ts'

/** The prompt's hidden inputs: `resume` names the action's page, `resume.<field>` carries a field. */
export const RESUME = 'resume'
export const CARRIED = 'resume.'

/**
 * The fields an action declared, as far as `form` has them: from the action's own form (`prefix`
 * '') when the prompt is first shown, from the prompt's hidden inputs (`CARRIED`) afterwards.
 * Nothing undeclared is ever carried.
 */
export function carriedFields(action: SudoAction, form: Form, prefix = ''): Map<string, string> {
  const carried = new Map<string, string>()
  for (const name of action.fields ?? []) if (form.has(`${prefix}${name}`)) carried.set(name, form.get(`${prefix}${name}`))
  return carried
}
