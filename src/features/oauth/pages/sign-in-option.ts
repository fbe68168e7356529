import { h } from '../../../web/html.ts'
import type { SignInOption } from '../../../web/web-deps.ts'
import type { OAuthContext } from '../oauth-context.ts'

/**
 * "Continue with <provider>" on the log-in page and "Sign up with <provider>" on the sign-up page:
 * plain links to the start endpoint (a GET navigation, no script), one per provider, in order.
 */
export function oauthSignInOption(ctx: OAuthContext): SignInOption {
  const providers = [...ctx.oauth.clients.values()].map((c) => c.provider)
  const buttons = (base: string, verb: string) =>
    h`<div class="actions">${providers.map((p) => h`<a class="button secondary" href="${base}/oauth/${p.id}/start" data-oauth-provider="${p.id}">${verb} ${p.name}</a>`)}</div>`
  return {
    render: (deps) => h`<section class="card" aria-labelledby="oauth-log-in-title">
<h2 id="oauth-log-in-title">Or continue with</h2>
${buttons(deps.config.basePath, 'Continue with')}
</section>`,
    ...(ctx.oauth.signUp
      ? {
          renderSignUp: (deps: Parameters<SignInOption['render']>[0]) => h`<section class="card" aria-labelledby="oauth-sign-up-title">
<h2 id="oauth-sign-up-title">Or sign up with</h2>
<p>No password needed: your account uses the address your provider has verified.</p>
${buttons(deps.config.basePath, 'Sign up with')}
</section>`,
        }
      : {}),
  }
}
