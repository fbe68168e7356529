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
  'session.step_passed',
  'session.impersonation_end',
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
  'authz.denied',
] as const

/**
 * Audit actions a feature writes, added by augmentation so its calls to `writeAudit` type-check:
 * `declare module 'sigra' { interface FeatureAuditActions { 'mfa.enable': true } }`.
 */
export interface FeatureAuditActions {}

export type AuditAction = (typeof AUDIT_ACTIONS)[number] | keyof FeatureAuditActions

/** First segments of core's actions (and `authz.` for refused actions, `sigra.` for Sigra's own notes). */
export const CORE_AUDIT_PREFIXES = ['auth', 'session', 'account', 'authz', 'sigra'] as const

/**
 * Prefixes `sigra.audit.log` refuses, so a host event can never pass for one of Sigra's: core's,
 * and the namespaces of the features Sigra ships (whether enabled or not). A host-written
 * feature's prefixes are reserved while it is enabled.
 */
export const RESERVED_PREFIXES: readonly string[] = [
  ...CORE_AUDIT_PREFIXES,
  ...['mfa', 'passkey', 'oauth', 'magic_link', 'api', 'token', 'jwt', 'admin', 'organization', 'security', 'webhook'],
].map((prefix) => `${prefix}.`)

export const ACTION_SHAPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/
