/**
 * What the OAuth feature adds to core's open types: its events, audit actions and mail templates.
 * Imported by the feature, so a host that imports 'sigra/oauth' sees them.
 */
import type { User } from '../../users/user.ts'

/** A provider account connected to a user, as the feature hands it out: never a provider token. */
export interface OAuthIdentity {
  id: string
  /** The provider's id in the configuration (`github`). */
  provider: string
  /** Its display name (`GitHub`); the id when the provider is no longer configured. */
  providerName: string
  /** The provider's stable id for the account. */
  subject: string
  email: string | null
  emailVerified: boolean
  name: string | null
  username: string | null
  createdAt: Date
  lastUsedAt: Date | null
}

declare module '../../kernel/events.ts' {
  interface LifecycleEventMap {
    /** A provider account was connected (from the settings, or by a verified address with `linkByVerifiedEmail`). */
    oauthLinked: { user: User; identity: OAuthIdentity; automatic: boolean }
    /** A provider account was disconnected by its owner. Not fired when the account is deleted. */
    oauthUnlinked: { user: User; identity: OAuthIdentity }
  }
}

declare module '../../kernel/audit/audit-actions.ts' {
  interface FeatureAuditActions {
    'oauth.link': true
    'oauth.unlink': true
    'oauth.callback_failure': true
  }
}

declare module '../../kernel/mail/templates.ts' {
  interface MailTemplates {
    oauthLinked(data: TemplateContext & { provider: string; settingsUrl: string }): MailContent
    oauthUnlinked(data: TemplateContext & { provider: string; settingsUrl: string }): MailContent
  }
}
