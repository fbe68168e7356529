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
}

export type TemplateName = keyof MailTemplates

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

/** Plain paragraphs and at most one button: a layout every client renders. */
function compose(appName: string, subject: string, paragraphs: string[], action?: { label: string; url: string }, after: string[] = []): MailContent {
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), ...after, `— ${appName}`].join('\n\n')
  const p = (s: string) => `<p style="margin:0 0 16px">${escapeHtml(s)}</p>`
  const button = action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(action.url)}" style="background:#1f4fd1;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(action.label)}</a></p><p style="margin:0 0 16px;font-size:13px;color:#555">Or paste this link into your browser: ${escapeHtml(action.url)}</p>`
    : ''
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:24px"><h1 style="font-size:20px">${escapeHtml(subject)}</h1>${paragraphs.map(p).join('')}${button}${after.map(p).join('')}<p style="color:#777;font-size:13px">— ${escapeHtml(appName)}</p></body></html>`
  return { subject, text, html }
}

export const defaultTemplates: MailTemplates = {
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
}
