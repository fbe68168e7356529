import * as v from 'valibot'
import { defineRoute, type ApiRoute } from '../../http/api-registry.ts'
import { Flag } from '../../http/api/input-schemas.ts'
import { cookieToken, setSessionCookie } from '../../http/api/session-cookie.ts'
import { clearedTrustCookie, trustCookie } from '../../http/cookies.ts'
import { renewSessionCookie } from '../../http/renew-session-cookie.ts'
import { forRequest } from '../../http/request-meta.ts'
import { failure, ok } from '../../http/responses.ts'
import type { MfaApi } from './api.ts'

const Code = v.pipe(v.string(), v.maxLength(16))
const BackupCode = v.pipe(v.string(), v.maxLength(32))
const Proof = v.object({ code: v.optional(Code), backupCode: v.optional(BackupCode) })

/** MFA's JSON routes under `basePath`, each with its OpenAPI description. */
export function mfaRoutes(api: MfaApi): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/mfa',
      tag: 'mfa',
      summary: 'Whether MFA is on for the current user, since when, how many backup codes remain, and whether the policy requires it.',
      auth: true,
      responses: { 200: 'The status' },
      async handle(c, _body, deps) {
        return ok(c, { mfa: await forRequest(api, deps).status(c.get('current')!.user) })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/mfa/enrollment',
      tag: 'mfa',
      summary: 'Start a TOTP enrolment: the key (base32), the otpauth:// URI and its QR code as SVG. Needs a sudo-fresh session (or the session held at mfa_enrollment right after sign-in).',
      auth: true,
      step: 'mfa_enrollment',
      responses: { 200: 'The key, URI and QR code, shown once', 403: 'sudo_required', 409: 'already_enabled' },
      async handle(c, _body, deps) {
        const { user, session } = c.get('current')!
        const result = await forRequest(api, deps).startEnrollment(user, { session })
        return result.ok ? ok(c, { secret: result.secret, uri: result.uri, qrSvg: result.qrSvg, expiresAt: result.expiresAt }) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/mfa/enrollment/confirm',
      tag: 'mfa',
      summary: 'Confirm the enrolment with a first code from the app: MFA is on, and the ten backup codes are in this answer (the only time they are shown).',
      auth: true,
      step: 'mfa_enrollment',
      body: v.object({ code: Code }),
      responses: { 200: 'Enabled; backupCodes', 400: 'invalid_code', 403: 'sudo_required', 409: 'no_enrollment or already_enabled' },
      async handle(c, body, deps) {
        const { user, session } = c.get('current')!
        const result = await forRequest(api, deps).confirmEnrollment(user, body.code, { session, token: cookieToken(c, deps) })
        if (!result.ok) return failure(c, result)
        if (result.token && result.session) setSessionCookie(c, deps, result.token, result.session)
        return ok(c, { backupCodes: result.backupCodes })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/mfa/verify',
      tag: 'mfa',
      summary: 'The MFA challenge: pass the second factor with a code or a backup code. The session cookie is renewed; with trustDevice, a device-trust cookie skips the challenge on this device for a while.',
      auth: true,
      step: 'mfa',
      body: v.object({ ...Proof.entries, trustDevice: Flag }),
      responses: { 200: 'Signed in; Set-Cookie carries the renewed session', 400: 'invalid_code', 401: 'invalid_session', 423: 'locked (Retry-After)' },
      async handle(c, body, deps) {
        const proof = body.code !== undefined ? { code: body.code } : { backupCode: body.backupCode ?? '' }
        const result = await forRequest(api, deps).verify(cookieToken(c, deps), proof, { trustDevice: body.trustDevice === true })
        if (!result.ok) return failure(c, result)
        setSessionCookie(c, deps, result.token, result.session)
        if (result.trustToken && result.trustExpiresAt) c.header('Set-Cookie', trustCookie(deps.cookies, result.trustToken, result.trustExpiresAt), { append: true })
        return ok(c, { session: result.session, ...(result.backupCodesRemaining !== undefined ? { backupCodesRemaining: result.backupCodesRemaining } : {}) })
      },
    }),
    defineRoute({
      method: 'post',
      path: '/mfa/backup-codes',
      tag: 'mfa',
      summary: 'Replace the backup codes with ten new ones (the old ones stop working). Needs a sudo-fresh session.',
      auth: true,
      responses: { 200: 'The new codes, shown once', 403: 'sudo_required', 409: 'not_enabled' },
      async handle(c, _body, deps) {
        const { user, session } = c.get('current')!
        const result = await forRequest(api, deps).regenerateBackupCodes(user, { session })
        return result.ok ? ok(c, { backupCodes: result.backupCodes }) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/mfa/disable',
      tag: 'mfa',
      summary: 'Turn MFA off: needs a sudo-fresh session and a current code or a backup code. Every trusted device is forgotten.',
      auth: true,
      body: Proof,
      responses: { 200: 'Turned off', 400: 'invalid_code', 403: 'sudo_required', 409: 'not_enabled or required_by_policy', 423: 'locked' },
      async handle(c, body, deps) {
        const { user, session } = c.get('current')!
        const proof = body.code !== undefined ? { code: body.code } : { backupCode: body.backupCode ?? '' }
        const result = await forRequest(api, deps).disable(user, proof, { session })
        if (!result.ok) return failure(c, result)
        c.header('Set-Cookie', clearedTrustCookie(deps.cookies))
        return ok(c, {})
      },
    }),
    defineRoute({
      method: 'get',
      path: '/mfa/trusted-devices',
      tag: 'mfa',
      summary: 'The devices that skip the second factor for now (label, since, until).',
      auth: true,
      responses: { 200: 'The trusted devices' },
      async handle(c, _body, deps) {
        return ok(c, { devices: await forRequest(api, deps).trustedDevices(c.get('current')!.user) })
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/mfa/trusted-devices/:id',
      tag: 'mfa',
      summary: 'Stop trusting one device: it is asked for the second factor at its next sign-in.',
      auth: true,
      responses: { 200: 'Forgotten', 404: 'not_found' },
      async handle(c, _body, deps) {
        const result = await forRequest(api, deps).revokeTrustedDevice(c.get('current')!.user, c.req.param('id') ?? '')
        return result.ok ? ok(c, {}) : failure(c, result)
      },
    }),
    defineRoute({
      method: 'post',
      path: '/mfa/sudo',
      tag: 'mfa',
      summary: 'Sudo with a code from the app, for an account without a password. The session token is renewed.',
      auth: true,
      body: Proof,
      responses: { 200: 'Sudo-fresh; Set-Cookie carries the renewed session', 400: 'invalid_code', 422: 'password_required (use POST /sudo)', 423: 'locked' },
      async handle(c, body, deps) {
        const proof = body.code !== undefined ? { code: body.code } : { backupCode: body.backupCode ?? '' }
        const result = await forRequest(api, deps).confirmSudo(cookieToken(c, deps), proof)
        if (!result.ok) return failure(c, result)
        const renewed = await renewSessionCookie(c, deps)
        return renewed ? ok(c, { session: renewed, sudo: true }) : failure(c, { error: 'invalid_session' })
      },
    }),
  ]
}
