/**
 * A test-only feature that adds a step to the sign-in pipeline: a session is "pending" until the
 * user accepts the current version of the terms. It proves the pipeline the way MFA will use it:
 * the step is decided at sign-in, the one enforcement point refuses the session everywhere but the
 * step's own route and page, and passing the step renews the token.
 */
import { sql } from 'kysely'
import * as v from 'valibot'
import {
  completeSignInStep,
  cookieToken,
  defineFeature,
  definePage,
  defineRoute,
  fail,
  failure,
  featureOptions,
  forRequest,
  h,
  ok,
  pagePath,
  parseSessionToken,
  renderPage,
  resolveSession,
  seeOther,
  setSessionCookie,
  withTables,
  type Failure,
  type Session,
  type SigraContext,
} from 'sigra/feature-kit'

declare module 'sigra' {
  interface PendingStepErrors {
    terms_required: true
  }
  interface SignInFlags {
    termsRequired?: boolean
  }
}

interface TermsTables {
  terms_acceptances: { user_id: string; version: string; accepted_at: Date }
}

type TermsContext = SigraContext & { terms: { version: string } }

async function acceptTerms(ctx: TermsContext, token: unknown): Promise<{ ok: true; token: string; session: Session; pending: string[] } | Failure<'invalid_session'>> {
  const held = await resolveSession(ctx, token)
  const parsed = parseSessionToken(token)
  if (!held || !parsed || held.pending[0] !== 'accept_terms') return fail('invalid_session')
  const passed = await ctx.db.transaction().execute(async (trx) => {
    await withTables<TermsTables>(trx)
      .insertInto('terms_acceptances')
      .values({ user_id: held.user.id, version: ctx.terms.version, accepted_at: ctx.config.clock() })
      .onConflict((oc) => oc.doNothing())
      .execute()
    return completeSignInStep(ctx, trx, { sessionId: held.session.id, expectedSecret: parsed.secret, step: 'accept_terms' })
  })
  return passed ? { ok: true, ...passed } : fail('invalid_session')
}

export function terms(options: { version: string }) {
  const settings = featureOptions('terms', v.object({ version: v.pipe(v.string(), v.nonEmpty()) }), options)
  return defineFeature({
    name: 'terms',
    migrations: [
      {
        name: '0001_create_terms_acceptances',
        async up({ db, table }) {
          await sql`CREATE TABLE ${table('terms_acceptances')} (
            user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
            version text NOT NULL,
            accepted_at timestamptz NOT NULL,
            PRIMARY KEY (user_id, version))`.execute(db)
        },
      },
    ],
    errors: { terms_required: 403 },
    setup(host) {
      const ctx: TermsContext = { ...host.ctx, terms: settings }
      const api = host.bind(ctx, { accept: acceptTerms })
      return {
        api,
        steps: [
          {
            name: 'accept_terms',
            error: 'terms_required',
            page: 'terms',
            resultFlag: 'termsRequired',
            async required({ user }, db) {
              const row = await withTables<TermsTables>(db)
                .selectFrom('terms_acceptances')
                .select('version')
                .where('user_id', '=', user.id)
                .where('version', '=', settings.version)
                .executeTakeFirst()
              return !row
            },
          },
        ],
        routes: [
          defineRoute({
            method: 'post',
            path: '/terms/accept',
            tag: 'terms',
            summary: 'Accept the current terms: the session held at this step becomes signed in (its token is renewed).',
            auth: true,
            step: 'accept_terms',
            responses: { 200: 'Accepted; Set-Cookie carries the renewed session' },
            async handle(c, _body, deps) {
              const result = await forRequest(api, deps).accept(cookieToken(c, deps))
              if (!result.ok) return failure(c, result)
              setSessionCookie(c, deps, result.token, result.session)
              return ok(c, { session: result.session, pending: result.pending })
            },
          }),
        ],
        pages: [
          definePage({
            path: '/terms',
            auth: true,
            step: 'accept_terms',
            get: (c, deps) =>
              renderPage(c, deps, {
                title: 'Terms',
                content: h`<h1>Terms of use</h1><p>Version ${settings.version}.</p><form method="post" action="${pagePath(deps.config, 'terms')}"><button type="submit">I accept</button></form>`,
              }),
            async post(c, deps) {
              const result = await forRequest(api, deps).accept(cookieToken(c, deps))
              if (!result.ok) return seeOther(c, pagePath(deps.config, 'log-in'))
              setSessionCookie(c, deps, result.token, result.session)
              return seeOther(c, pagePath(deps.config, 'settings'))
            },
          }),
        ],
      }
    },
  })
}

/** A feature that needs another one, for the start-up check. */
export function termsReport() {
  return defineFeature({ name: 'terms-report', key: 'termsReport', requires: ['terms'], setup: () => ({ api: { enabled: (): boolean => true } }) })
}
