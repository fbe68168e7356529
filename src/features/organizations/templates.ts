import type { MailTemplates } from '../../kernel/mail/templates.ts'
import { compose } from '../../kernel/mail/templates.ts'
import './augment.ts'

export const organizationTemplates: Pick<MailTemplates, 'organizationInvitation'> = {
  organizationInvitation: (d) =>
    compose(
      d.appName,
      `You are invited to join ${d.organizationName} on ${d.appName}`,
      [`${d.inviterEmail ?? 'A member'} invited ${d.email} to join ${d.organizationName} as ${d.role}.`],
      { label: 'See the invitation', url: d.url },
      [
        `The link works once and expires in ${d.expiresInDays} day${d.expiresInDays === 1 ? '' : 's'}. Only an account with this confirmed address (${d.email}) can accept it: log in, or sign up with it first.`,
        'If you did not expect this, ignore this message: nothing happens unless you accept.',
      ],
    ),
}
