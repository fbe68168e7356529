import { h, type Html } from './html.ts'

export interface InputOptions {
  /** Unique on the page. */
  id: string
  name: string
  label: string
  type: 'email' | 'text' | 'password'
  autocomplete: string
  value?: string
  hint?: string
  required?: boolean
  /** Sentences shown with the field (above its input); the field is marked invalid when there are any. */
  issues?: readonly string[]
  autofocus?: boolean
  /** The keyboard a phone shows (`numeric` for one-time codes). */
  inputmode?: 'numeric' | 'text'
  /** Longest value the field takes. */
  maxlength?: number
}

/**
 * A labelled input with its hint and its issues tied to it by aria-describedby. Label, hint and
 * issue come before the input, so whatever follows the input (the page script's “Show password”)
 * never separates a field from its message.
 */
export function input(o: InputOptions): Html {
  const issues = o.issues ?? []
  const describedBy = [o.hint ? `${o.id}-hint` : '', issues.length ? `${o.id}-issue` : ''].filter(Boolean).join(' ')
  return h`<div class="field">
<label for="${o.id}">${o.label}</label>
${o.hint ? h`<span class="hint" id="${o.id}-hint">${o.hint}</span>` : ''}
${issues.length ? h`<p class="issue" id="${o.id}-issue">${issues.join(' ')}</p>` : ''}
<input id="${o.id}" name="${o.name}" type="${o.type}" autocomplete="${o.autocomplete}"${o.type === 'password' ? '' : h` value="${o.value ?? ''}"`}${o.required === false ? '' : h` required`}${issues.length ? h` aria-invalid="true"` : ''}${describedBy ? h` aria-describedby="${describedBy}"` : ''}${o.autofocus ? h` autofocus` : ''}${o.type === 'email' ? h` inputmode="email" spellcheck="false" autocapitalize="none"` : ''}${o.inputmode ? h` inputmode="${o.inputmode}"` : ''}${o.maxlength ? h` maxlength="${o.maxlength}"` : ''}>
</div>`
}

export function hidden(name: string, value: string): Html {
  return h`<input type="hidden" name="${name}" value="${value}">`
}

/**
 * A one-button POST form (log out, revoke, cancel…). `confirm` asks first when the script runs.
 */
export function buttonForm(o: {
  action: string
  label: string
  /** A longer accessible name when the visible label repeats (“Sign out” on every device). */
  ariaLabel?: string
  fields?: Record<string, string>
  variant?: 'primary' | 'secondary' | 'danger' | 'link'
  confirm?: string
  inline?: boolean
}): Html {
  const fields = Object.entries(o.fields ?? {}).map(([name, value]) => hidden(name, value))
  const variant = o.variant && o.variant !== 'primary' ? o.variant : ''
  return h`<form method="post" action="${o.action}"${o.inline ? h` class="inline"` : ''}${o.confirm ? h` data-confirm="${o.confirm}"` : ''}>${fields}<button type="submit"${variant ? h` class="${variant}"` : ''}${o.ariaLabel ? h` aria-label="${o.ariaLabel}"` : ''}>${o.label}</button></form>`
}

/**
 * The failure summary above a form: announced by screen readers, and focused on load (so a form
 * far down the settings page scrolls into view after a failed post).
 */
export function errorSummary(summary: string | null): Html | '' {
  return summary ? h`<div class="flash error" role="alert" tabindex="-1" autofocus><p>${summary}</p></div>` : ''
}
