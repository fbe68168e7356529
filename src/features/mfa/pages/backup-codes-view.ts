import type { HttpContext } from '../../../http/http-env.ts'
import { h } from '../../../web/html.ts'
import { pagePath } from '../../../web/page-path.ts'
import { renderPage } from '../../../web/render-page.ts'
import type { WebDeps } from '../../../web/web-deps.ts'

/**
 * The backup codes, shown once (this response is the only copy; it is `no-store` like every page):
 * a list to copy, and a text file to download, made in the browser from this very page.
 */
export function backupCodesView(c: HttpContext, deps: WebDeps, codes: readonly string[], heading: string): Response {
  const file = `${deps.config.appName} backup codes\n\n${codes.join('\n')}\n\nEach code works once. Keep them somewhere safe.\n`
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(file)}`
  return renderPage(c, deps, {
    title: heading,
    content: h`<h1>${heading}</h1>
<section class="card" aria-labelledby="codes-title">
<h2 id="codes-title">Your backup codes</h2>
<p>If you lose your phone, each of these codes lets you sign in once. <strong>This is the only time they are shown</strong>: save them now, somewhere other than this device.</p>
<ol class="backup-codes" id="backup-codes">${codes.map((code) => h`<li><code>${code}</code></li>`)}</ol>
<div class="actions"><a class="button" href="${href}" download="backup-codes.txt">Download as a text file</a><button type="button" class="secondary" data-copy="backup-codes">Copy</button></div>
</section>
<p><a href="${pagePath(deps.config, 'settings')}#mfa">I have saved them: back to settings</a></p>`,
  })
}
