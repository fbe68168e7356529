import type { HttpContext, HttpDeps } from '../http/http-env.ts'
import { formatDate } from './format-date.ts'
import { h } from './html.ts'
import { linkify } from './linkify.ts'
import { renderPage } from './render-page.ts'

/**
 * Development only: the mail outbox, newest first, with text bodies and clickable links. The
 * bodies hold live single-use links, so the page is never cached and sends no Referer.
 */
export async function devMailboxPage(c: HttpContext, deps: HttpDeps): Promise<Response> {
  const mails = (await deps.sigra.mail.outbox({ limit: 100 })).reverse()
  return renderPage(c, deps, {
    title: 'Dev mailbox',
    tokenInUrl: true,
    content: h`<h1>Dev mailbox</h1>
<p class="muted">Mail this app wrote to its outbox, newest first. Development only: this page does not exist in production. <a href="/dev/mailbox">Refresh</a></p>
${mails.length === 0 ? h`<p class="card">No mail yet. Sign up to get one.</p>` : ''}
${mails.map((m) => h`<article class="card mail" aria-labelledby="mail-${m.id}">
<h2 id="mail-${m.id}">${m.subject}</h2>
<dl class="facts">
<dt>To</dt><dd>${m.to}</dd>
<dt>Written</dt><dd>${formatDate(m.createdAt)}</dd>
<dt>Status</dt><dd><span class="status">${m.status}</span>${m.sentAt ? h` · delivered ${formatDate(m.sentAt)}` : ''}</dd>
</dl>
${m.text ? h`<pre>${linkify(m.text)}</pre>` : h`<p class="muted">Body dropped after delivery by a real transport.</p>`}
</article>`)}`,
  })
}
