/**
 * What the magic-link feature adds to core's open types: its audit actions and mail templates.
 * Imported by the feature, so a host that imports 'sigra/magic-link' sees them.
 */
declare module '../../kernel/audit/audit-actions.ts' {
  interface FeatureAuditActions {
    'magic_link.request': true
    'magic_link.sign_in': true
    'magic_link.failure': true
  }
}

declare module '../../kernel/mail/templates.ts' {
  interface MailTemplates {
    /** The sign-in link, to an account's address. */
    magicLink(data: TemplateContext & { url: string; expiresInMinutes: number }): MailContent
    /** The sign-up link, to an address no account has (only with `signUp: true`). */
    magicLinkSignUp(data: TemplateContext & { url: string; expiresInMinutes: number }): MailContent
  }
}

export {}
