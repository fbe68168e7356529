import { h, type Html } from '../../../web/html.ts'

interface Common {
  /** Unique on the page. */
  id: string
  name: string
  label: string
  hint?: string
  issues?: readonly string[]
  required?: boolean
}

/** The hint and the issues before a control, and the attributes that tie them to it. */
function described(o: Common): { before: Html; attrs: Html } {
  const issues = o.issues ?? []
  const ids = [o.hint ? `${o.id}-hint` : '', issues.length ? `${o.id}-issue` : ''].filter(Boolean).join(' ')
  return {
    before: h`${o.hint ? h`<span class="hint" id="${o.id}-hint">${o.hint}</span>` : ''}${issues.length ? h`<p class="issue" id="${o.id}-issue">${issues.join(' ')}</p>` : ''}`,
    attrs: h`${o.required ? h` required` : ''}${issues.length ? h` aria-invalid="true"` : ''}${ids ? h` aria-describedby="${ids}"` : ''}`,
  }
}

/** A labelled input of any of the types the admin forms use (label, hint, issues, then the input). */
export function field(o: Common & { type: 'text' | 'search' | 'number' | 'date' | 'password'; value?: string; autocomplete?: string; maxlength?: number; step?: string }): Html {
  const d = described(o)
  return h`<div class="field"><label for="${o.id}">${o.label}</label>${d.before}
<input id="${o.id}" name="${o.name}" type="${o.type}" autocomplete="${o.autocomplete ?? 'off'}"${o.type === 'password' ? '' : h` value="${o.value ?? ''}"`}${o.maxlength ? h` maxlength="${o.maxlength}"` : ''}${o.step ? h` step="${o.step}"` : ''}${d.attrs}></div>`
}

/** A labelled select; `options` are [value, label] pairs, `value` the selected one. */
export function select(o: Common & { options: ReadonlyArray<readonly [string, string]>; value?: string }): Html {
  const d = described(o)
  return h`<div class="field"><label for="${o.id}">${o.label}</label>${d.before}
<select id="${o.id}" name="${o.name}"${d.attrs}>${o.options.map(([value, label]) => h`<option value="${value}"${value === (o.value ?? '') ? h` selected` : ''}>${label}</option>`)}</select></div>`
}

/** A labelled multi-line text field. */
export function textArea(o: Common & { value?: string; rows?: number; maxlength?: number }): Html {
  const d = described(o)
  return h`<div class="field"><label for="${o.id}">${o.label}</label>${d.before}
<textarea id="${o.id}" name="${o.name}" rows="${o.rows ?? 3}"${o.maxlength ? h` maxlength="${o.maxlength}"` : ''}${d.attrs}>${o.value ?? ''}</textarea></div>`
}

/** A checkbox inside its label. */
export function checkbox(o: { name: string; label: string; checked?: boolean; value?: string }): Html {
  return h`<label class="check"><input type="checkbox" name="${o.name}" value="${o.value ?? 'on'}"${o.checked ? h` checked` : ''}> ${o.label}</label>`
}
