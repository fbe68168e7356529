/** A rendered message. */
export interface MailContent {
  subject: string
  text: string
  html: string
}

export interface TemplateContext {
  appName: string
  /** The address the message goes to. */
  email: string
  baseUrl: string
}

/**
 * Every message Sigra sends. Replace any of them with `templates` in createSigra's options;
 * a replacement receives the same data and returns subject, text and HTML.
 */
export interface MailTemplates {
  confirmEmail(data: TemplateContext & { url: string; expiresInHours: number }): MailContent
  resetPassword(data: TemplateContext & { url: string; expiresInMinutes: number }): MailContent
  passwordResetDone(data: TemplateContext & { resetUrl: string }): MailContent
  /** Someone tried to register an address that already has an account. Carries no token. */
  accountExists(data: TemplateContext & { loginUrl: string; resetUrl: string }): MailContent
  accountLocked(data: TemplateContext & { minutes: number; resetUrl: string }): MailContent
  /** To the new address: the link that makes the switch. */
  emailChangeVerify(data: TemplateContext & { url: string; currentEmail: string; expiresInHours: number }): MailContent
  /** To the old address at request time: information only, nothing in it changes anything. */
  emailChangeRequested(data: TemplateContext & { newEmail: string; settingsUrl: string }): MailContent
  /** To the old address once switched, with a way to report it was not them. */
  emailChanged(data: TemplateContext & { newEmail: string; reportTo: string; resetUrl: string }): MailContent
  passwordChanged(data: TemplateContext & { resetUrl: string; source: 'change' | 'set' | 'admin' }): MailContent
  deletionScheduled(data: TemplateContext & { deleteAt: Date; loginUrl: string }): MailContent
  deletionCancelled(data: TemplateContext): MailContent
  accountDeleted(data: TemplateContext): MailContent
}

export type TemplateName = keyof MailTemplates

/** Core's own templates (features add theirs to `MailTemplates` by augmentation, with their defaults). */
export type CoreMailTemplates = Pick<
  MailTemplates,
  | 'confirmEmail' | 'resetPassword' | 'passwordResetDone' | 'accountExists' | 'accountLocked' | 'emailChangeVerify'
  | 'emailChangeRequested' | 'emailChanged' | 'passwordChanged' | 'deletionScheduled' | 'deletionCancelled' | 'accountDeleted'
>

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

/** Plain paragraphs and at most one button: a layout every client renders. Features build their templates with it too. */
export function compose(appName: string, subject: string, paragraphs: string[], action?: { label: string; url: string }, after: string[] = []): MailContent {
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), ...after, `— ${appName}`].join('\n\n')
  const p = (s: string) => `<p style="margin:0 0 16px">${escapeHtml(s)}</p>`
  const button = action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(action.url)}" style="background:#1f4fd1;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(action.label)}</a></p><p style="margin:0 0 16px;font-size:13px;color:#555">Or paste this link into your browser: ${escapeHtml(action.url)}</p>`
    : ''
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:24px"><h1 style="font-size:20px">${escapeHtml(subject)}</h1>${paragraphs.map(p).join('')}${button}${after.map(p).join('')}<p style="color:#777;font-size:13px">— ${escapeHtml(appName)}</p></body></html>`
  return { subject, text, html }
}

export const defaultTemplates: CoreMailTemplates = {
  confirmEmail: (d) =>
    compose(d.appName, `Confirm your email for ${d.appName}`, [`Confirm that ${d.email} is your address to finish setting up your ${d.appName} account.`],
      { label: 'Confirm email', url: d.url }, [`The link works once and expires in ${d.expiresInHours} hours. If you did not sign up, ignore this message.`]),
  resetPassword: (d) =>
    compose(d.appName, `Reset your ${d.appName} password`, ['Someone (hopefully you) asked to reset the password of your account.'],
      { label: 'Choose a new password', url: d.url }, [`The link works once and expires in ${d.expiresInMinutes} minutes. If you did not ask, ignore this message: your password stays as it is.`]),
  passwordResetDone: (d) =>
    compose(d.appName, `Your ${d.appName} password was changed`, ['The password of your account was just reset, and every device was signed out.'],
      undefined, [`If this was not you, reset your password now at ${d.resetUrl} and review your account.`]),
  accountExists: (d) =>
    compose(d.appName, `Someone tried to sign up with your address`, [`Someone tried to create a ${d.appName} account with ${d.email}, which already has one. No new account was created.`],
      { label: 'Log in', url: d.loginUrl }, [`Forgot your password? Reset it at ${d.resetUrl}. If this was not you, you can ignore this message.`]),
  accountLocked: (d) =>
    compose(d.appName, `Your ${d.appName} account was locked`, [`After several wrong passwords, sign-in to your account is paused for ${d.minutes} minutes.`],
      undefined, [`If this was not you, consider resetting your password at ${d.resetUrl}.`]),
  emailChangeVerify: (d) =>
    compose(d.appName, `Confirm your new email for ${d.appName}`, [`Confirm ${d.email} as the new address of the ${d.appName} account currently using ${d.currentEmail}. Until you do, nothing changes.`],
      { label: 'Confirm new email', url: d.url }, [`The link works once and expires in ${d.expiresInHours} hours. If you did not ask for this, ignore this message.`]),
  emailChangeRequested: (d) =>
    compose(d.appName, `An email change was requested on your ${d.appName} account`, [`Someone signed in to your account asked to move it to ${d.newEmail}. Your address stays as it is unless that address confirms the change.`],
      undefined, [`If this was not you, sign in and cancel the change at ${d.settingsUrl}, then change your password.`]),
  emailChanged: (d) =>
    compose(d.appName, `Your ${d.appName} email was changed`, [`Your account now uses ${d.newEmail} instead of ${d.email}, and every other device was signed out.`],
      undefined, [`If this was not you, report it right away by replying to this message or writing to ${d.reportTo}.`]),
  passwordChanged: (d) =>
    compose(d.appName, d.source === 'set' ? `A password was added to your ${d.appName} account` : `Your ${d.appName} password was changed`,
      [d.source === 'set' ? 'Your account can now be signed in to with a password.'
        : d.source === 'admin' ? 'An administrator set a new password on your account, and every device was signed out.'
        : 'The password of your account was changed, and every other device was signed out.'],
      undefined, [`If this was not you, reset your password at ${d.resetUrl} and review your account.`]),
  deletionScheduled: (d) =>
    compose(d.appName, `Your ${d.appName} account will be deleted`, [`Your account is scheduled for deletion on ${d.deleteAt.toUTCString()}. You have been signed out everywhere.`],
      { label: 'Log in to cancel', url: d.loginUrl }, ['Changed your mind? Log in before that date and cancel the deletion.']),
  deletionCancelled: (d) =>
    compose(d.appName, `Your ${d.appName} account will not be deleted`, ['The scheduled deletion of your account was cancelled. Welcome back.']),
  accountDeleted: (d) =>
    compose(d.appName, `Your ${d.appName} account was deleted`, ['As scheduled, your account and the personal data it held have been deleted. This is the last message you will get from us about it.']),
}
