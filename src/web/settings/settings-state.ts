import type { FormFailure } from '../form-errors.ts'

/** Which settings form a failed post came from, what it said, and the values to show again. */
export interface SettingsState {
  /** Core's section ids, or a feature's. */
  section: 'account' | 'email' | 'password' | 'sessions' | 'data' | (string & {})
  /** Null when nothing failed (values only). */
  failure: FormFailure | null
  status: number
  values?: { email?: string }
}

/** The failure for one section, or null when the state belongs to another section. */
export function failureFor(state: SettingsState | null, section: SettingsState['section']): FormFailure | null {
  return state && state.section === section ? state.failure : null
}
