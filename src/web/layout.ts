import type { SigraConfig } from '../kernel/config.ts'
import type { Session } from '../sessions/session.ts'
import type { User } from '../users/user.ts'
import { buttonForm } from './form-controls.ts'
import { formatDate } from './format-date.ts'
import { h, type Html } from './html.ts'
import { PAGE_SCRIPT } from './page-script.ts'
import { pagePath } from './page-path.ts'
import { raw } from 'hono/html'
import { STYLESHEET } from './stylesheet.ts'

export interface LayoutInput {
  config: Readonly<SigraConfig>
  title: string
  current: { user: User; session: Session } | null
  /** The features' header items for a signed-in user (already rendered), shown before “Settings”. */
  headerItems?: Html | null
  /** A fixed sentence for a success notice (from `?notice=`), if any. */
  notice?: string | null
  content: Html
}

/**
 * The page frame: skip link, header with navigation, account banners (deletion scheduled, password
 * change required, unconfirmed address) on every page, then the page's own content.
 */
export function layout({ config, title, current, headerItems, notice, content }: LayoutInput): Html {
  return h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${config.appName}</title>
<style>${raw(STYLESHEET)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><div class="bar">
<a class="brand" href="/">${config.appName}</a>
<nav aria-label="Account"><ul>${current && headerItems ? headerItems : ''}${navigation(config, current)}</ul></nav>
</div></header>
<main id="main" tabindex="-1">
${current?.session.impersonatorId ? impersonationBanner(config, current.user) : ''}
${current ? banners(config, current.user) : ''}
${notice ? h`<div class="flash ok" role="status"><p>${notice}</p></div>` : ''}
${content}
</main>
<script>${raw(PAGE_SCRIPT)}</script>
</body>
</html>`
}

function navigation(config: Readonly<SigraConfig>, current: LayoutInput['current']): Html {
  const mailbox = config.http.devMailbox ? h`<li><a href="/dev/mailbox">Mailbox</a></li>` : ''
  if (!current) {
    return h`<li><a href="${pagePath(config, 'log-in')}">Log in</a></li><li><a href="${pagePath(config, 'sign-up')}">Sign up</a></li>${mailbox}`
  }
  return h`<li><a href="${pagePath(config, 'settings')}">Settings</a></li>${mailbox}<li>${buttonForm({ action: pagePath(config, 'log-out'), label: 'Log out', variant: 'link' })}</li>`
}

function banners(config: Readonly<SigraConfig>, user: User): Html {
  return h`${user.deleteAt
    ? h`<div class="flash warn" role="status"><p>Your account is scheduled for deletion on ${formatDate(user.deleteAt)}. Until then you can keep it.</p>${buttonForm({ action: pagePath(config, 'reactivate'), label: 'Keep my account' })}</div>`
    : ''}${user.mustChangePassword
    ? h`<div class="flash warn" role="status"><p>You need to choose a new password. <a href="${pagePath(config, 'settings')}#password">Change it in your settings</a>.</p></div>`
    : ''}${!user.confirmedAt
    ? h`<div class="flash warn" role="status"><p>Please confirm your email address: open the link we sent to ${user.email}.</p>${buttonForm({ action: pagePath(config, 'confirm/resend'), label: 'Send the link again', variant: 'secondary' })}</div>`
    : ''}`
}

/** On every page while an operator acts as this user: who, and the way back. */
function impersonationBanner(config: Readonly<SigraConfig>, user: User): Html {
  return h`<div class="flash warn impersonation" role="status"><p><strong>You are acting as ${user.email}.</strong> Sensitive changes (password, email, two-factor, deletion, tokens) are not possible meanwhile, and everything you do is recorded with your name.</p>${buttonForm({ action: pagePath(config, 'impersonation/stop'), label: 'Stop acting as this user' })}</div>`
}
