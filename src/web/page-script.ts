/**
 * The little JavaScript the pages use, all of it optional (every flow works without it):
 * - forms with `data-confirm` ask before a destructive submit;
 * - password fields get a "Show" toggle (added by the script, so no dead button without it);
 * - `<time>` elements are shown in the reader's local time;
 * - a button with `data-copy="<id>"` copies that element's text (backup codes, a key to type), and
 *   says so; it is hidden where the clipboard is not available.
 * Allowed by the Content-Security-Policy through its hash.
 */
export const PAGE_SCRIPT = `
document.addEventListener('submit', function (e) {
  var form = e.target, question = form.getAttribute('data-confirm')
  if (question && !window.confirm(question)) e.preventDefault()
})
document.querySelectorAll('input[type=password]').forEach(function (input) {
  var button = document.createElement('button')
  button.type = 'button'
  button.className = 'secondary reveal'
  button.textContent = 'Show password'
  button.setAttribute('aria-controls', input.id)
  button.setAttribute('aria-pressed', 'false')
  button.addEventListener('click', function () {
    var shown = input.type === 'password'
    input.type = shown ? 'text' : 'password'
    button.textContent = shown ? 'Hide password' : 'Show password'
    button.setAttribute('aria-pressed', String(shown))
  })
  input.insertAdjacentElement('afterend', button)
})
document.querySelectorAll('button[data-copy]').forEach(function (button) {
  var target = document.getElementById(button.getAttribute('data-copy'))
  if (!target || !navigator.clipboard) { button.hidden = true; return }
  button.addEventListener('click', function () {
    var lines = target.tagName === 'OL' || target.tagName === 'UL' ? Array.prototype.map.call(target.children, function (li) { return li.textContent.trim() }).join('\\n') : target.textContent.trim()
    navigator.clipboard.writeText(lines).then(function () { button.textContent = 'Copied' })
  })
})
document.querySelectorAll('time[datetime]').forEach(function (el) {
  var d = new Date(el.getAttribute('datetime'))
  if (!isNaN(d)) { el.title = el.textContent; el.textContent = d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) }
})
`
