/**
 * `sigra/feature-kit`: what a feature is built from, for hosts writing their own (docs/features.md)
 * and for Sigra's shipped features alike. Everything here is also what core is built on: a feature
 * gets no private door into core, and needs none.
 */
export { defineFeature, featureOptions, type AnyFeature, type Feature, type FeatureApis, type FeatureDefinition, type FeatureHost, type FeatureParts } from './features/feature.ts'
export type { Bound, CallGate, ContextFunction } from './facade/bind-context.ts'

// The context and the database.
export type { SigraContext } from './kernel/context.ts'
export { now } from './kernel/context.ts'
export { withTables, type Database, type Db, type Executor, type Trx } from './kernel/db/database.ts'
export type { Migration, MigrationContext } from './kernel/db/migration.ts'

// Results, input, crypto, audit, mail.
export { fail, invalid, vetoable, type Failure, type FieldIssue } from './kernel/result.ts'
export { SigraError, VetoError } from './kernel/errors.ts'
export { parseInput, toFieldIssues, META_INPUT } from './kernel/validation/parse-input.ts'
export { constantTimeEqual, digest, randomSecret } from './kernel/crypto/token.ts'
export { Sealer } from './kernel/crypto/seal.ts'
export { writeAudit, auditRow, type AuditEntry } from './kernel/audit/audit-log.ts'
export type { AuditAction, FeatureAuditActions } from './kernel/audit/audit-actions.ts'
export { enqueueMail } from './kernel/mail/outbox.ts'
export { compose as composeMail, type MailContent, type MailTemplates, type TemplateContext } from './kernel/mail/templates.ts'
export type { LifecycleEventMap, EventContext } from './kernel/events.ts'

// Users and sessions: the sign-in pipeline and the one enforcement point.
export { toUser, type User } from './users/user.ts'
export { findUserById } from './users/user-repository.ts'
export { signInMethodCount } from './users/sign-in-methods.ts'
export type { Session } from './sessions/session.ts'
export { signIn, type SignInInput, type SignInSuccess } from './sessions/sign-in.ts'
export { completeSignInStep, type CompleteStepInput } from './sessions/complete-sign-in-step.ts'
export { resolveSession, validateSession, type ResolvedSession } from './sessions/validate-session.ts'
export { throttledRedemption } from './tokens/throttled-redemption.ts'
export { auditDenied, type DeniedEntry } from './kernel/audit/audit-denied.ts'
export { markSudo, requireSudoSession, type SudoCheck } from './sessions/sudo.ts'
export { parseSessionToken } from './sessions/session-token.ts'
export { headerValue, type HeadersLike } from './sessions/session-cookie.ts'
export type { PendingStepError, PendingStepErrors, SessionGate, SignInAttempt, SignInFlags, SignInStep } from './sessions/sign-in-steps.ts'
export type { PrincipalExtension, PrincipalExtras, RequestAuthenticator, RequestPrincipal } from './sessions/principal.ts'

// HTTP: JSON routes with their OpenAPI description.
export { defineRoute, type ApiRoute } from './http/api-registry.ts'
export { ok, failure } from './http/responses.ts'
export { forRequest, requestMeta } from './http/request-meta.ts'
export type { RequestMeta } from './kernel/request-meta.ts'
export { cookieToken, setSessionCookie } from './http/api/session-cookie.ts'
export type { HttpContext, HttpDeps } from './http/http-env.ts'

// Pages: the reference web app's machinery.
export { definePage, type Current, type Page } from './web/page.ts'
export type { HeaderItem, SignInOption, WebDeps } from './web/web-deps.ts'
export type { Form } from './web/read-form.ts'
export { h, type Html } from './web/html.ts'
export { renderPage } from './web/render-page.ts'
export { pagePath } from './web/page-path.ts'
export { seeOther } from './web/see-other.ts'
export { buttonForm, errorSummary, hidden, input } from './web/form-controls.ts'
export { settingsView } from './web/settings/settings-view.ts'
export { sudoPrompt } from './web/pages/sudo-prompt.ts'
export type { SudoAction } from './web/sudo-action.ts'
export type { SettingsSection } from './web/settings/settings-section.ts'
export type { SettingsState } from './web/settings/settings-state.ts'
