import type { HttpDeps } from '../../../http/http-env.ts'
import { errorSummary, hidden } from '../../../web/form-controls.ts'
import { h, type Html } from '../../../web/html.ts'
import { displayCustomField } from '../custom-fields.ts'
import type { AdminSettings, CustomFieldDefinition } from '../options.ts'
import type { AdminUser } from '../users.ts'
import { field, select } from './admin-controls.ts'
import { failureSummary, issuesFor } from './admin-messages.ts'
import { userAction } from './admin-paths.ts'
import { failureIn, valueIn, type DetailState } from './detail-state.ts'
import { card } from './card.ts'

/** The control for one definition: a select shows labels and posts keys; an empty value clears. */
function control(key: string, def: CustomFieldDefinition, value: string, hint: string, issues: string[]): Html {
  const common = { id: `cf-${key}`, name: 'value', label: def.label, hint, issues }
  switch (def.type) {
    case 'select':
      return select({ ...common, value, options: [['', 'Not set'], ...Object.entries(def.options)] })
    case 'boolean':
      return select({ ...common, value, options: [['', 'Not set'], ['true', 'Yes'], ['false', 'No']] })
    case 'number':
      return field({ ...common, type: 'number', value, step: 'any' })
    case 'date':
      return field({ ...common, type: 'date', value })
    default:
      return field({ ...common, type: 'text', value, maxlength: def.maxLength ?? 500 })
  }
}

/** One small form per declared custom field (none declared: no card). */
export function customFieldsCard(deps: HttpDeps, settings: AdminSettings, user: AdminUser, state: DetailState | null): Html | '' {
  const defs = Object.entries(settings.customFields)
  if (defs.length === 0) return ''
  return card('custom-fields', 'Custom fields', h`${defs.map(([key, def]) => {
    const section = `field:${key}`
    const stored = user.customFields[key]
    const shown = displayCustomField(def, stored)
    const failure = failureIn(state, section)
    const value = valueIn(state, section, 'value', stored === undefined || stored === null ? '' : String(stored))
    return h`<form method="post" action="${userAction(deps.config, user.id, 'custom-field')}" class="inline-form" novalidate>
${errorSummary(failureSummary(failure, [key]))}
${hidden('key', key)}
${control(key, def, value, shown ? `Now: ${shown}` : 'Not set', issuesFor(failure, key, deps.config))}
<button type="submit" class="secondary" aria-label="Save ${def.label}">Save</button>
</form>`
  })}`)
}
