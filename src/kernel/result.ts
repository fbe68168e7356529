import { VetoError } from './errors.ts'

/** A field-level problem with input, with a stable code a form can map to a message. */
export interface FieldIssue {
  field: string
  code: string
  message: string
}

/** An expected failure: a stable `error` code, plus field issues, seconds to wait, or a hook's reason. */
export type Failure<E extends string> = { ok: false; error: E; issues?: FieldIssue[]; retryAfter?: number; reason?: string }

export function fail<E extends string>(error: E, extra: { issues?: FieldIssue[]; retryAfter?: number; reason?: string } = {}): Failure<E> {
  return { ok: false, error, ...extra }
}

export function invalid(issues: FieldIssue[]): Failure<'invalid'> {
  return { ok: false, error: 'invalid', issues }
}

/** Runs a change whose hooks may veto it: a VetoError becomes `{ ok:false, error:'vetoed' }` after rollback. */
export async function vetoable<T>(run: () => Promise<T>): Promise<T | Failure<'vetoed'>> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof VetoError) return fail('vetoed', { reason: error.reason })
    throw error
  }
}
