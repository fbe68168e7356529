/**
 * What the JWT feature adds to core's open types: its audit actions and its part of a request
 * principal. Imported by the feature, so a host that imports 'sigra/jwt' sees them.
 */
import type { AccessTokenClaims } from './claims.ts'

declare module '../../kernel/audit/audit-actions.ts' {
  interface FeatureAuditActions {
    'token.issue': true
    'token.refresh': true
    'token.refresh_reuse': true
    'token.revoke': true
    'token.key_rotate': true
  }
}

declare module '../../sessions/principal.ts' {
  interface PrincipalExtras {
    /** Set when the request authenticated with a JWT access token (`via: 'jwt'`): its verified claims. */
    claims?: AccessTokenClaims
  }
}
