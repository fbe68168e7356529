import type { Session } from '../sessions/session.ts'
import type { User } from '../users/user.ts'
import type { Trx } from './db/database.ts'
import type { RequestMeta } from './request-meta.ts'

/**
 * Typed lifecycle events. Each runs inside the transaction of the change that caused it:
 * subscribers (other capabilities) and the host's hook write in the same commit, and an error
 * from any of them rolls the whole change back.
 */
export interface LifecycleEventMap {
  userRegistered: { user: User }
  emailConfirmed: { user: User }
  loggedIn: { user: User; session: Session }
  passwordReset: { user: User }
  sessionsRevoked: { userId: string; reason: string; count: number }
  emailChanged: { user: User; previousEmail: string }
  /** Change, set or forced change. API tokens deliberately survive (CI keys keep working). */
  passwordChanged: { user: User; source: 'change' | 'set' | 'admin' }
  /** Later capabilities revoke API tokens, refresh tokens and trusted devices here. */
  deletionScheduled: { user: User; deleteAt: Date }
  deletionCancelled: { user: User }
  /** Runs before the strategy is applied: the row still exists. Capabilities remove MFA, passkeys, identities. */
  userDeleting: { user: User; strategy: 'anonymize' | 'soft_delete' | 'hard_delete' }
}
export type LifecycleEvent = keyof LifecycleEventMap

/** What a listener gets: the event, the transaction of the change, and the request it serves (null outside one). */
export type EventContext<E extends LifecycleEvent> = LifecycleEventMap[E] & { trx: Trx; request: RequestMeta | null }
type Listener<E extends LifecycleEvent> = (event: EventContext<E>) => void | Promise<void>

/** Host hooks: one per operation, same transaction; throw VetoError to refuse. */
export interface LifecycleHooks {
  onRegister?: Listener<'userRegistered'>
  onEmailConfirmed?: Listener<'emailConfirmed'>
  onLogin?: Listener<'loggedIn'>
  onPasswordReset?: Listener<'passwordReset'>
  /** Fires at confirmation, when the address actually switches. */
  onEmailChange?: Listener<'emailChanged'>
  onPasswordChange?: Listener<'passwordChanged'>
  onDeletionScheduled?: Listener<'deletionScheduled'>
  /** Move or anonymize the host's own data in the same transaction; an error aborts the deletion. */
  beforeDelete?: Listener<'userDeleting'>
  /** Adds the host's own data to `exportUserData` (under `app`). Runs outside any transaction. */
  exportUserData?: (event: { user: User }) => unknown
}

const HOOK_FOR: { [E in LifecycleEvent]?: Exclude<keyof LifecycleHooks, 'exportUserData'> } = {
  userRegistered: 'onRegister',
  emailConfirmed: 'onEmailConfirmed',
  loggedIn: 'onLogin',
  passwordReset: 'onPasswordReset',
  emailChanged: 'onEmailChange',
  passwordChanged: 'onPasswordChange',
  deletionScheduled: 'onDeletionScheduled',
  userDeleting: 'beforeDelete',
}

export class LifecycleEvents {
  readonly #listeners = new Map<LifecycleEvent, Array<Listener<never>>>()
  readonly #hooks: LifecycleHooks
  constructor(hooks: LifecycleHooks) {
    this.#hooks = hooks
  }

  /** For capabilities: subscribe to another capability's event (e.g. revoke API tokens on deletion). */
  on<E extends LifecycleEvent>(event: E, listener: Listener<E>): void {
    const list = this.#listeners.get(event) ?? []
    list.push(listener as Listener<never>)
    this.#listeners.set(event, list)
  }

  /** Whether anything listens to `event` (a capability's subscriber or the host's hook). */
  has(event: LifecycleEvent): boolean {
    const hookName = HOOK_FOR[event]
    return (this.#listeners.get(event)?.length ?? 0) > 0 || (hookName !== undefined && this.#hooks[hookName] !== undefined)
  }

  /** `request`: the emitting call's `ctx.request`, so a listener's audit rows carry it too. */
  async emit<E extends LifecycleEvent>(trx: Trx, event: E, payload: LifecycleEventMap[E], request?: RequestMeta | null): Promise<void> {
    const context = { ...payload, trx, request: request ?? null } as EventContext<E>
    for (const listener of this.#listeners.get(event) ?? []) await (listener as Listener<E>)(context)
    const hookName = HOOK_FOR[event]
    const hook = hookName ? (this.#hooks[hookName] as Listener<E> | undefined) : undefined
    if (hook) await hook(context)
  }
}
