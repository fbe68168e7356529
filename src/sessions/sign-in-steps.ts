import type { Executor } from '../kernel/db/database.ts'
import type { User } from '../users/user.ts'

/** What a sign-in step is told about the sign-in that is creating a session. */
export interface SignInAttempt {
  user: User
  /** How the first factor was proven: 'password', 'magic_link', 'oauth', 'passkey', … */
  method: string
  /** RFC 8176 method references of what was proven ('pwd'; a passkey with user verification: 'hwk', 'user'). */
  amr: readonly string[]
  /** A device-trust token the browser presented (a step may honour it, e.g. to skip a second factor). */
  trustToken: string | null
  ip: string | null
  userAgent: string | null
}

/** How a session held at a step is refused, and where a browser goes to pass it. */
export interface StepRefusal {
  /** The step's name, as stored in `sessions.pending_steps`. */
  name: string
  /** The failure code a call from a session held at this step gets, e.g. 'mfa_required'. */
  error: PendingStepError
  /** The page (under `pagesPath`, may carry a #fragment) where a browser passes the step. */
  page: string
}

/**
 * A step a feature adds to the sign-in pipeline: decided once, when a session is created, and
 * stored on the session until passed (`completeSignInStep`).
 */
export interface SignInStep extends StepRefusal {
  /**
   * Whether the new session must pass this step. Runs before the session exists, outside any
   * transaction; it may read (does this user have MFA?) but must not write.
   */
  required(attempt: SignInAttempt, db: Executor): boolean | Promise<boolean>
  /** Set to `true` on the sign-in result when the step is pending (e.g. 'mfaRequired'). */
  resultFlag?: keyof SignInFlags
}

/**
 * A step derived from the account at every validation, with no query of its own (it reads the user
 * row the session lookup already joined): core's forced password change is one.
 */
export interface SessionGate extends StepRefusal {
  applies(user: User): boolean
}

/**
 * Failure codes of pending steps. Features add theirs by augmentation:
 * `declare module 'sigra' { interface PendingStepErrors { mfa_required: true } }`.
 */
export interface PendingStepErrors {
  password_change_required: true
  /** A step whose feature is no longer enabled: log out and sign in again. */
  step_required: true
}
export type PendingStepError = keyof PendingStepErrors

/** Flags a step sets on a sign-in result (augmented by features: `{ mfaRequired?: boolean }`). */
export interface SignInFlags {}

/** The pipeline of one Sigra instance: steps decided at sign-in, gates derived at validation. */
export interface SignInPipeline {
  steps: readonly SignInStep[]
  gates: readonly SessionGate[]
}

/** Core's one gate: an account told to change its password may do only that (and log out). */
export const PASSWORD_CHANGE_GATE: SessionGate = {
  name: 'password_change',
  error: 'password_change_required',
  page: 'settings#password',
  applies: (user) => user.mustChangePassword,
}

/** The steps a session must still pass, in order: its stored steps first, then the gates that apply. */
export function pendingSteps(pipeline: SignInPipeline, stored: readonly string[], user: User): string[] {
  const pending = [...stored]
  for (const gate of pipeline.gates) if (gate.applies(user) && !pending.includes(gate.name)) pending.push(gate.name)
  return pending
}

/** How a session held at `step` is refused; an unknown step (its feature was removed) still refuses. */
export function refusalFor(pipeline: SignInPipeline, step: string): StepRefusal {
  return (
    pipeline.steps.find((s) => s.name === step) ??
    pipeline.gates.find((g) => g.name === step) ?? { name: step, error: 'step_required', page: 'log-in' }
  )
}
