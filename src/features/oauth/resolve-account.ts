/**
 * Account resolution for an OAuth sign-in: one pure function from what the provider said and what
 * the database holds to what happens. No I/O; `test/oauth-resolution.test.ts` walks its table of cases.
 */

/** The account a found identity or a matching address belongs to, as far as resolution needs it. */
export interface AccountFacts {
  id: string
  /** The account proved its address (a confirmation link, a reset, a magic link, a provider's verified address). */
  confirmed: boolean
  /** Active and not deleted nor past its deletion date: may sign in. */
  usable: boolean
  /** It already has an identity of this provider (another account there): a second one is never linked by address. */
  linkedProvider?: boolean
}

export interface ResolutionInput {
  intent: 'sign_in' | 'link' | 'sudo'
  /** What the provider said, checked: the boolean `true` only makes `emailVerified`. */
  profile: { email: string | null; emailVerified: boolean }
  /** The account that already holds this identity (provider id + subject), if any. */
  identityOwner: AccountFacts | null
  /**
   * The live account whose *current* address is the provider's (normalised), if any. A pending
   * email change never counts: it is not the account's address until confirmed.
   */
  addressOwner: AccountFacts | null
  /** For `link` and `sudo`: the signed-in account that started it, and the providers it already has. */
  current: (AccountFacts & { linkedProvider: boolean }) | null
  linkByVerifiedEmail: boolean
  signUp: boolean
}

export type Resolution =
  | { action: 'sign_in'; userId: string }
  | { action: 'create' }
  | { action: 'link_and_sign_in'; userId: string }
  | { action: 'link'; userId: string }
  | { action: 'already_linked'; userId: string }
  | { action: 'sudo'; userId: string }
  | { action: 'refuse'; error: ResolutionRefusal }

export type ResolutionRefusal =
  | 'account_unavailable'
  | 'email_unverified'
  | 'account_exists'
  | 'sign_up_disabled'
  | 'identity_taken'
  | 'already_linked'
  | 'unconfirmed'
  | 'wrong_account'

/**
 * - **Sign-in.** A known identity signs its account in (if the account may sign in). A new identity
 *   needs a provider-verified address: matching no account, it creates one (with `signUp`);
 *   matching a *confirmed* account, it is linked only with `linkByVerifiedEmail`; otherwise
 *   `account_exists` (sign in the usual way, then connect the provider from the settings). An
 *   unconfirmed account never receives an identity: whoever made it never proved the address.
 * - **Link** (from the settings, sudo checked when it started). The identity must be free (or
 *   already this account's), the account confirmed and without an identity of that provider.
 * - **Sudo.** Re-authentication counts only with an identity of the signed-in account.
 */
export function resolveAccount(input: ResolutionInput): Resolution {
  const { identityOwner, addressOwner, current, profile } = input
  const refuse = (error: ResolutionRefusal): Resolution => ({ action: 'refuse', error })

  if (input.intent === 'sudo') {
    if (!current || !identityOwner || identityOwner.id !== current.id) return refuse('wrong_account')
    return current.usable ? { action: 'sudo', userId: current.id } : refuse('account_unavailable')
  }

  if (input.intent === 'link') {
    if (!current || !current.usable) return refuse('account_unavailable')
    if (identityOwner) return identityOwner.id === current.id ? { action: 'already_linked', userId: current.id } : refuse('identity_taken')
    if (current.linkedProvider) return refuse('already_linked')
    // Trojan-identifier defence: an account that never proved its address gets no identity.
    if (!current.confirmed) return refuse('unconfirmed')
    return { action: 'link', userId: current.id }
  }

  if (identityOwner) return identityOwner.usable ? { action: 'sign_in', userId: identityOwner.id } : refuse('account_unavailable')
  if (!profile.email || profile.emailVerified !== true) return refuse('email_unverified')
  if (!addressOwner) return input.signUp ? { action: 'create' } : refuse('sign_up_disabled')
  if (input.linkByVerifiedEmail && addressOwner.confirmed && addressOwner.linkedProvider !== true) {
    return addressOwner.usable ? { action: 'link_and_sign_in', userId: addressOwner.id } : refuse('account_unavailable')
  }
  return refuse('account_exists')
}
