/**
 * The passkey pages' one inline script (allowed by its hash in those pages' CSP, with
 * `connect-src 'self'` for its calls to the JSON API). No library, no bundle: base64url ↔ bytes,
 * `navigator.credentials.create/get`, and JSON posted to the feature's routes. Everything it drives
 * is marked up by the pages with data attributes and stays hidden where WebAuthn is missing:
 *
 * - `[data-passkey-login]` (log-in page): "Sign in with a passkey" (username-first when the login
 *   field holds something, discoverable otherwise), and conditional mediation on the login field
 *   (`autocomplete="username webauthn"`) when `PublicKeyCredential.isConditionalMediationAvailable()`
 *   says so; the page it signs in to is the form's `return_to`.
 * - `form[data-passkey-register]` (add page): creates the credential with the options the page
 *   carries, puts the answer in the form and submits it.
 * - `[data-passkey-second-factor]` (MFA challenge) and `[data-passkey-sudo]` (confirm it is you): an
 *   assertion posted to their routes, then on to `data-next` or the resume form.
 */
export const PASSKEY_SCRIPT = `
(function () {
  var supported = typeof window.PublicKeyCredential === 'function' && !!navigator.credentials
  function toBytes(s) {
    var b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4))
    var out = new Uint8Array(b.length)
    for (var i = 0; i < b.length; i++) out[i] = b.charCodeAt(i)
    return out.buffer
  }
  function fromBytes(buf) {
    var bytes = new Uint8Array(buf), s = ''
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i])
    return btoa(s).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')
  }
  function descriptors(list) {
    return (list || []).map(function (d) { return { type: 'public-key', id: toBytes(d.id), transports: d.transports } })
  }
  function creationOptions(o) {
    var copy = Object.assign({}, o, { challenge: toBytes(o.challenge), user: Object.assign({}, o.user, { id: toBytes(o.user.id) }), excludeCredentials: descriptors(o.excludeCredentials) })
    delete copy.hints
    return copy
  }
  function requestOptions(o) {
    var copy = Object.assign({}, o, { challenge: toBytes(o.challenge) })
    if (o.allowCredentials) copy.allowCredentials = descriptors(o.allowCredentials)
    delete copy.hints
    return copy
  }
  function attestationJSON(c) {
    var r = c.response
    return { id: c.id, rawId: fromBytes(c.rawId), type: c.type, clientExtensionResults: {},
      response: { clientDataJSON: fromBytes(r.clientDataJSON), attestationObject: fromBytes(r.attestationObject), transports: typeof r.getTransports === 'function' ? r.getTransports() : [] } }
  }
  function assertionJSON(c) {
    var r = c.response, out = { clientDataJSON: fromBytes(r.clientDataJSON), authenticatorData: fromBytes(r.authenticatorData), signature: fromBytes(r.signature) }
    if (r.userHandle && r.userHandle.byteLength) out.userHandle = fromBytes(r.userHandle)
    return { id: c.id, rawId: fromBytes(c.rawId), type: c.type, clientExtensionResults: {}, response: out }
  }
  function post(url, body, signal) {
    return fetch(url, { method: 'POST', signal: signal, credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body || {}) })
      .then(function (res) { return res.json().catch(function () { return { ok: false, error: 'internal' } }) })
      .then(function (data) { if (!data.ok) throw data; return data })
  }
  var MESSAGES = {
    NotAllowedError: 'The passkey request was cancelled or timed out.',
    InvalidStateError: 'This device already holds a passkey for your account.',
    SecurityError: 'Passkeys cannot be used on this address.',
    invalid_credentials: 'That passkey was not accepted. Try again, or use another way.',
    invalid: 'That passkey answer could not be read. Try again.',
    challenge_expired: 'That took too long. Try again.',
    rate_limited: 'Too many attempts. Wait a moment and try again.',
    no_passkey: 'There is no passkey on this account.',
    invalid_session: 'Your sign-in has ended. Please log in again.',
    sudo_required: 'Confirm it is you first.'
  }
  function say(root, error) {
    var code = error && (error.name && MESSAGES[error.name] ? error.name : error.error)
    var el = root.querySelector('[data-passkey-status]')
    if (el) el.textContent = MESSAGES[code] || 'Something went wrong. Please try again.'
  }
  function busy(button, on) { if (button) button.disabled = on }
  if (!supported) return
  document.querySelectorAll('[data-passkey-fallback]').forEach(function (el) { el.hidden = true })

  document.querySelectorAll('[data-passkey-login]').forEach(function (root) {
    var field = document.querySelector('input[autocomplete~="webauthn"]')
    var form = field && field.form
    var button = root.querySelector('[data-passkey-start]')
    var waiting = null
    var picked = false
    root.hidden = false
    function next() { return (form && form.elements.return_to && form.elements.return_to.value) || root.getAttribute('data-next') || '/' }
    function signIn(mediation) {
      var login = mediation || !field ? '' : field.value.trim()
      var ctrl = new AbortController()
      if (mediation) waiting = ctrl
      return post(root.getAttribute('data-options'), login ? { login: login } : {}, ctrl.signal).then(function (o) {
        return navigator.credentials.get({ publicKey: requestOptions(o.options), signal: ctrl.signal, mediation: mediation || 'optional' })
      }).then(function (credential) {
        picked = true
        var remember = form && form.elements.remember_me && form.elements.remember_me.checked
        return post(root.getAttribute('data-verify'), { response: assertionJSON(credential), rememberMe: !!remember })
      }).then(function () { window.location.assign(next()) })
    }
    button.addEventListener('click', function () {
      if (waiting) { waiting.abort(); waiting = null }
      busy(button, true)
      signIn(null).catch(function (error) { busy(button, false); say(root, error) })
    })
    if (field && typeof PublicKeyCredential.isConditionalMediationAvailable === 'function') {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
        root.setAttribute('data-autofill', available ? 'on' : 'off')
        // The autofill is offered, not asked for: it stays quiet unless a passkey was picked and then refused.
        if (available) signIn('conditional').catch(function (error) { if (picked) say(root, error) })
      })
    } else root.setAttribute('data-autofill', 'off')
  })

  document.querySelectorAll('form[data-passkey-register]').forEach(function (form) {
    var root = form.closest('[data-passkey-root]') || form
    var button = form.querySelector('button[type=submit]')
    root.hidden = false
    form.addEventListener('submit', function (e) {
      if (form.elements.response.value) return
      e.preventDefault()
      busy(button, true)
      navigator.credentials.create({ publicKey: creationOptions(JSON.parse(form.getAttribute('data-options'))) }).then(function (credential) {
        form.elements.response.value = JSON.stringify(attestationJSON(credential))
        form.submit()
      }).catch(function (error) { busy(button, false); say(root, error) })
    })
  })

  document.querySelectorAll('[data-passkey-second-factor], [data-passkey-sudo]').forEach(function (root) {
    var button = root.querySelector('[data-passkey-start]')
    var resume = root.querySelector('form[data-passkey-resume]')
    root.hidden = false
    button.addEventListener('click', function () {
      busy(button, true)
      post(root.getAttribute('data-options'), {}).then(function (o) {
        return navigator.credentials.get({ publicKey: requestOptions(o.options) })
      }).then(function (credential) {
        return post(root.getAttribute('data-verify'), { response: assertionJSON(credential) })
      }).then(function () {
        if (resume) resume.submit()
        else window.location.assign(root.getAttribute('data-next') || '/')
      }).catch(function (error) { busy(button, false); say(root, error) })
    })
  })
})()
`
