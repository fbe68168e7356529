import { h, type Html } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import type { Session } from '../../../sessions/session.ts'
import type { User } from '../../../users/user.ts'
import { PASSKEY_SCRIPT } from '../browser-script.ts'
import { countCredentials } from '../credentials.ts'
import type { PasskeysContext } from '../passkeys-context.ts'

/** What a page adds to offer a passkey ceremony: its markup and the script that drives it. */
export interface PasskeyOffer {
  content: Html
  scripts: readonly string[]
}

/**
 * "Use a passkey" for the MFA challenge page (which asks for it when this feature is on): offered
 * when the held session's user has a passkey and the first factor was not already a passkey.
 * The button runs the second-factor ceremony through the JSON routes, then goes to the settings.
 */
export async function mfaChallengeOption(ctx: PasskeysContext, user: Pick<User, 'id'>, session: Pick<Session, 'amr'>): Promise<PasskeyOffer | null> {
  if (!ctx.passkeys.mfa || session.amr.includes('hwk') || (await countCredentials(ctx.db, user.id)) === 0) return null
  const api = `${ctx.config.basePath}/passkeys/second-factor`
  return {
    content: h`<section class="card" data-passkey-second-factor data-options="${api}/options" data-verify="${api}" data-next="${pagePath(ctx.config, 'settings')}" aria-labelledby="passkey-mfa-title" hidden>
<h2 id="passkey-mfa-title">Or use a passkey</h2>
<p>Use a passkey saved on this device, your phone or a security key instead of a code.</p>
<div class="actions"><button type="button" class="secondary" data-passkey-start>Use a passkey</button></div>
<p class="issue" data-passkey-status role="status" aria-live="polite"></p>
</section>`,
    scripts: [PASSKEY_SCRIPT],
  }
}
