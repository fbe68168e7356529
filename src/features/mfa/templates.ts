import type { MailTemplates } from '../../kernel/mail/templates.ts'
import { compose } from '../../kernel/mail/templates.ts'
import './augment.ts'

/** MFA's mails: each tells what happened and what to do if it was not you; none carries a secret or a code. */
export const mfaTemplates: Pick<MailTemplates, 'mfaEnabled' | 'mfaDisabled' | 'mfaBackupCodesRegenerated' | 'mfaBackupCodeUsed'> = {
  mfaEnabled: (d) =>
    compose(d.appName, `Two-factor authentication is on for your ${d.appName} account`, [
      'Signing in now asks for a code from your authenticator app after your password.',
      `Keep your ${d.backupCodes} backup codes somewhere safe: each gets you in once if you lose your phone.`,
    ], undefined, [`If this was not you, sign in at ${d.settingsUrl}, turn it off and change your password.`]),
  mfaDisabled: (d) =>
    compose(d.appName, `Two-factor authentication is off for your ${d.appName} account`, [
      d.byAdmin ? 'An administrator turned off two-factor authentication on your account (for example after you lost your device).' : 'Two-factor authentication was turned off on your account.',
      'Signing in now needs only your password.',
    ], undefined, [`Turn it on again at ${d.settingsUrl}. If this was not you, change your password right away.`]),
  mfaBackupCodesRegenerated: (d) =>
    compose(d.appName, `New backup codes for your ${d.appName} account`, ['New backup codes were created for your account; the old ones no longer work.'], undefined, [
      `If this was not you, sign in at ${d.settingsUrl} and change your password.`,
    ]),
  mfaBackupCodeUsed: (d) =>
    compose(d.appName, `A backup code was used on your ${d.appName} account`, [
      `A backup code was just used to sign in to your account. ${d.remaining === 0 ? 'You have no backup codes left: create new ones now.' : `${d.remaining} remain${d.remaining === 1 ? 's' : ''}.`}`,
    ], undefined, [`If this was not you, sign in at ${d.settingsUrl}, create new codes and change your password.`]),
}
