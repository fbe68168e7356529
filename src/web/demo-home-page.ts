import type { SigraCore } from '../facade/core-facade.ts'
import { cookiePolicy, readSessionToken } from '../http/cookies.ts'
import { h } from './html.ts'
import { layout } from './layout.ts'
import { pageHeaders } from './page-headers.ts'
import { pagePath } from './page-path.ts'

/** The demo's start page at `/`: who is signed in, and the way to every page. */
export async function demoHomePage(sigra: SigraCore, request: Request): Promise<Response> {
  const { config } = sigra
  const token = readSessionToken(cookiePolicy(config), request.headers.get('cookie'))
  const current = token ? await sigra.sessions.validate(token) : null
  const content = h`<h1>${config.appName}</h1>
<div class="card">
${current
  ? h`<p>You are signed in as <strong>${current.user.email}</strong>.</p><div class="actions"><a class="button" href="${pagePath(config, 'settings')}">Account settings</a></div>`
  : h`<p>You are not signed in. This demo runs the reference pages on an embedded database; mail goes to the dev mailbox instead of the internet.</p>
<div class="actions"><a class="button" href="${pagePath(config, 'sign-up')}">Sign up</a><a class="button secondary" href="${pagePath(config, 'log-in')}">Log in</a></div>`}
</div>
<div class="card"><h2>Try it</h2><ul>
<li><a href="${pagePath(config, 'sign-up')}">Sign up</a>, then open the confirmation link in the <a href="/dev/mailbox">dev mailbox</a>.</li>
<li><a href="${pagePath(config, 'log-in')}">Log in</a> (with “remember me”), or <a href="${pagePath(config, 'forgot-password')}">reset a forgotten password</a>.</li>
<li>In <a href="${pagePath(config, 'settings')}">settings</a>: change your email or password, sign out other devices, download your data, delete your account.</li>
<li>The JSON API is under <code>${config.basePath}</code>; its description is <a href="${config.basePath}/openapi.json">openapi.json</a>.</li>
</ul></div>`
  const body = layout({ config, title: 'Home', current, content })
  return new Response(request.method === 'HEAD' ? null : body.toString(), { status: 200, headers: pageHeaders() })
}
