/** What the admin feature adds to core's open types: its audit actions. */
declare module '../../kernel/audit/audit-actions.ts' {
  interface FeatureAuditActions {
    'admin.owner_assign': true
    'admin.role_change': true
    'admin.status_change': true
    'admin.password_set': true
    'admin.confirm': true
    'admin.unconfirm': true
    'admin.password_change_required': true
    'admin.sessions_revoke': true
    'admin.note_create': true
    'admin.note_update': true
    'admin.note_delete': true
    'admin.custom_field_set': true
    'admin.custom_field_delete': true
    'admin.profile_update': true
    'admin.user_delete': true
    'admin.impersonation_start': true
    'admin.mfa_reset': true
    'admin.audit_export': true
  }
}
export {}
