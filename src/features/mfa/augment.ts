/**
 * What the MFA feature adds to core's open types: its events, audit actions, step codes, result
 * flags and mail templates. Imported by the feature, so a host that imports 'sigra/mfa' sees them.
 */
import type { User } from '../../users/user.ts'

declare module '../../kernel/events.ts' {
  interface LifecycleEventMap {
    /** A TOTP enrolment was confirmed: MFA is on. */
    mfaEnabled: { user: User }
    /** MFA was turned off, by the user (`by: 'user'`) or an admin's reset (`by: 'admin'`). */
    mfaDisabled: { user: User; by: 'user' | 'admin' }
    /** A backup code was spent; `remaining` stay unused. */
    backupCodeUsed: { user: User; remaining: number }
  }
}

declare module '../../kernel/audit/audit-actions.ts' {
  interface FeatureAuditActions {
    'mfa.enroll_start': true
    'mfa.enable': true
    'mfa.disable': true
    'mfa.reset': true
    'mfa.verify': true
    'mfa.verify_failure': true
    'mfa.lockout': true
    'mfa.backup_code_used': true
    'mfa.backup_codes_regenerate': true
    'mfa.trusted_device_add': true
    'mfa.trusted_device_revoke': true
  }
}

declare module '../../sessions/sign-in-steps.ts' {
  interface PendingStepErrors {
    /** The session waits for a second factor (TOTP, backup code, passkey). */
    mfa_required: true
    /** The account must enrol in MFA before the session is signed in. */
    mfa_enrollment_required: true
  }
  interface SignInFlags {
    /** The session is pending a second factor: send the code to `mfa.verify`. */
    mfaRequired?: boolean
    /** The account must set up MFA before the session is signed in. */
    mfaEnrollmentRequired?: boolean
  }
}

declare module '../../kernel/mail/templates.ts' {
  interface MailTemplates {
    mfaEnabled(data: TemplateContext & { settingsUrl: string; backupCodes: number }): MailContent
    mfaDisabled(data: TemplateContext & { settingsUrl: string; byAdmin: boolean }): MailContent
    mfaBackupCodesRegenerated(data: TemplateContext & { settingsUrl: string }): MailContent
    mfaBackupCodeUsed(data: TemplateContext & { remaining: number; settingsUrl: string }): MailContent
  }
}
