import type { MailTemplates } from '../../kernel/mail/templates.ts'
import { compose } from '../../kernel/mail/templates.ts'
import './augment.ts'

export const oauthTemplates: Pick<MailTemplates, 'oauthLinked' | 'oauthUnlinked'> = {
  oauthLinked: (d) =>
    compose(d.appName, `${d.provider} was connected to your ${d.appName} account`, [
      `You can now sign in to your ${d.appName} account with ${d.provider}.`,
    ], undefined, [`If this was not you, disconnect it at ${d.settingsUrl} and change your password.`]),
  oauthUnlinked: (d) =>
    compose(d.appName, `${d.provider} was disconnected from your ${d.appName} account`, [
      `${d.provider} no longer signs in to your ${d.appName} account.`,
    ], undefined, [`If this was not you, review your account at ${d.settingsUrl}.`]),
}
