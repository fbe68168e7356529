import type { MailTemplates } from '../../kernel/mail/templates.ts'
import { compose } from '../../kernel/mail/templates.ts'
import './augment.ts'

export const magicLinkTemplates: Pick<MailTemplates, 'magicLink' | 'magicLinkSignUp'> = {
  magicLink: (d) =>
    compose(d.appName, `Your sign-in link for ${d.appName}`, [`Someone (hopefully you) asked to sign in to ${d.appName} as ${d.email} without a password.`],
      { label: 'Sign in', url: d.url }, [`The link works once and expires in ${d.expiresInMinutes} minutes. If you did not ask, ignore this message: nobody can sign in without it.`]),
  magicLinkSignUp: (d) =>
    compose(d.appName, `Your link to create a ${d.appName} account`, [`Someone (hopefully you) asked to create a ${d.appName} account for ${d.email}.`],
      { label: 'Create my account', url: d.url }, [`The link works once and expires in ${d.expiresInMinutes} minutes. If you did not ask, ignore this message: no account is created without it.`]),
}
