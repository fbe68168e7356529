/**
 * What the passkeys feature adds to core's open types: its events, audit actions and mail
 * templates. Imported by the feature, so a host that imports 'sigra/passkeys' sees them.
 */
import type { User } from '../../users/user.ts'

/** A passkey as the feature hands it out: never the public key's bytes nor the counter's history. */
export interface Passkey {
  id: string
  /** The friendly name: from the authenticator model (AAGUID) at registration, renamable. */
  label: string
  /** The credential ID (base64url), as the browser knows it. */
  credentialId: string
  /** The authenticator model's AAGUID ('00000000-…' when it does not say). */
  aaguid: string
  /** 'internal', 'hybrid', 'usb', 'nfc', 'ble'. */
  transports: string[]
  /** A multi-device (synced) passkey, and whether it is backed up now. */
  backupEligible: boolean
  backedUp: boolean
  createdAt: Date
  lastUsedAt: Date | null
  /** When a counter regression was accepted under `counterPolicy: 'flag'` (a possible clone), else null. */
  counterRegressedAt: Date | null
}

declare module '../../kernel/events.ts' {
  interface LifecycleEventMap {
    /** A passkey was registered (the user is mailed). */
    passkeyAdded: { user: User; passkey: Passkey }
    /** A passkey was removed by its owner (the user is mailed). Not fired when the account is deleted. */
    passkeyRemoved: { user: User; passkey: Passkey }
  }
}

declare module '../../kernel/audit/audit-actions.ts' {
  interface FeatureAuditActions {
    'passkey.register': true
    'passkey.register_failure': true
    'passkey.sign_in': true
    'passkey.sign_in_failure': true
    'passkey.second_factor': true
    'passkey.second_factor_failure': true
    'passkey.sudo': true
    'passkey.sudo_failure': true
    'passkey.counter_regression': true
    'passkey.remove': true
    'passkey.rename': true
  }
}

declare module '../../kernel/mail/templates.ts' {
  interface MailTemplates {
    passkeyAdded(data: TemplateContext & { label: string; settingsUrl: string }): MailContent
    passkeyRemoved(data: TemplateContext & { label: string; settingsUrl: string }): MailContent
  }
}
