import type { MailTemplates } from '../../kernel/mail/templates.ts'
import { compose } from '../../kernel/mail/templates.ts'
import './augment.ts'

export const apiTokenTemplates: Pick<MailTemplates, 'apiTokenCreated'> = {
  apiTokenCreated: (d) =>
    compose(d.appName, `A new API token was created on your ${d.appName} account`, [
      `An API token named “${d.name}” was created with access to: ${d.scopes.join(', ')}. ${d.expiresAt ? `It expires on ${d.expiresAt.toUTCString()}.` : 'It does not expire.'}`,
    ], undefined, [`If this was not you, revoke it at ${d.settingsUrl} and change your password.`]),
}
