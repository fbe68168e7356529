import type { MailTemplates } from '../../kernel/mail/templates.ts'
import { compose } from '../../kernel/mail/templates.ts'
import './augment.ts'

/** The passkeys feature's mails: what happened, and what to do if it was not you. No secret in them. */
export const passkeyTemplates: Pick<MailTemplates, 'passkeyAdded' | 'passkeyRemoved'> = {
  passkeyAdded: (d) =>
    compose(d.appName, `A passkey was added to your ${d.appName} account`, [
      `A new passkey, “${d.label}”, can now sign in to your account without a password.`,
    ], undefined, [`If this was not you, sign in at ${d.settingsUrl}, remove it and change your password.`]),
  passkeyRemoved: (d) =>
    compose(d.appName, `A passkey was removed from your ${d.appName} account`, [
      `The passkey “${d.label}” was removed from your account: it can no longer sign in.`,
    ], undefined, [`If this was not you, sign in at ${d.settingsUrl} and check your passkeys and password.`]),
}
