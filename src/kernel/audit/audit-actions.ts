/**
 * The typed catalogue of actions Sigra writes. Hosts log their own actions under any other
 * prefix through `sigra.audit.log`; these prefixes are reserved for Sigra.
 */
export const AUDIT_ACTIONS = [
  'auth.register',
  'auth.register.failure',
  'auth.login.success',
  'auth.login.failure',
  'auth.lockout',
  'auth.logout',
  'auth.confirmation_sent',
  'auth.email_confirm',
  'auth.password_reset_request',
  'auth.password_reset',
  'session.revoke',
  'session.revoke_all',
  'session.sudo_enter',
  'session.sudo_failure',
  'account.email_change_request',
  'account.email_change_confirm',
  'account.email_change_cancel',
  'account.password_change',
  'account.password_change_required',
  'account.deletion_schedule',
  'account.deletion_cancel',
  'account.deletion_execute',
  'account.deletion_failure',
  'account.data_export',
] as const

export type AuditAction = (typeof AUDIT_ACTIONS)[number]

export const RESERVED_PREFIXES = ['auth.', 'session.', 'account.', 'mfa.', 'passkey.', 'oauth.', 'api.', 'admin.', 'organization.', 'sigra.'] as const

export const ACTION_SHAPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/
