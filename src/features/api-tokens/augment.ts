/**
 * What the API-token feature adds to core's open types: its audit actions, its part of a request
 * principal, its mail template. Imported by the feature, so a host importing 'sigra/api-tokens' sees them.
 */
import type { ApiToken } from './api-token.ts'

declare module '../../kernel/audit/audit-actions.ts' {
  interface FeatureAuditActions {
    'api.token_create': true
    'api.token_revoke': true
    'api.token_revoke_all': true
  }
}

declare module '../../sessions/principal.ts' {
  interface PrincipalExtras {
    /** Set when the request authenticated with an API token (`via: 'api_token'`). */
    apiToken?: ApiToken
  }
}

declare module '../../kernel/mail/templates.ts' {
  interface MailTemplates {
    apiTokenCreated(data: TemplateContext & { name: string; scopes: readonly string[]; expiresAt: Date | null; settingsUrl: string }): MailContent
  }
}
