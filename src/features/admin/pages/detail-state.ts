import type { FormFailure } from '../../../web/form-errors.ts'

/** Which form of the user page a failed post came from, what it said, and the values to show again. */
export interface DetailState {
  /** A card's id (`role`, `status`…), `field:<key>` for a custom field, `note:<id>` for a note's edit form. */
  section: string
  failure: FormFailure
  values?: Readonly<Record<string, string>>
}

/** The failure for one form, or null when the state belongs to another. */
export function failureIn(state: DetailState | null, section: string): FormFailure | null {
  return state?.section === section ? state.failure : null
}

/** A value to show again after a failed post of this form, else the stored one. */
export function valueIn(state: DetailState | null, section: string, name: string, stored: string): string {
  const again = state?.section === section ? state.values?.[name] : undefined
  return again ?? stored
}
