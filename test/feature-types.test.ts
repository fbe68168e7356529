/**
 * Type tests for the feature facade. `npm test` type-checks this file first (tsc), so a
 * `@ts-expect-error` that is no longer an error, or an `Expect` that is false, fails the run
 * before any test executes. The run-time test below checks the same facts at run time.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createSigra, type Failure, type Sigra, type User } from 'sigra'
import { pglite } from 'sigra/pglite'
import { notes, type Note } from './support/features/notes-feature.ts'
import { terms, termsReport } from './support/features/terms-feature.ts'
import { SECRET } from './support/harness.ts'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
/** Compiles only when T is `true`. */
function expect<_T extends true>(): void {}

const options = { secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme' }

/** Never called: only compiled. Each line is a claim about the types. */
export async function typeClaims(user: User) {
  const plain = await createSigra({ ...options, database: pglite() })
  // @ts-expect-error no `notes` facade unless notes() is listed
  void plain.notes
  // @ts-expect-error nor `terms`
  void plain.terms

  const withNotes = await createSigra({ ...options, database: pglite(), features: [notes()] })
  const added = await withNotes.notes.add(user, 'hello')
  expect<Equals<typeof added, { ok: true; note: Note } | Failure<'invalid' | 'note_too_long' | 'rate_limited'>>>()
  const listed = await withNotes.notes.list(user)
  expect<Equals<typeof listed, Note[]>>()
  // @ts-expect-error a listed feature's methods keep their parameter types (a user, not a string)
  void withNotes.notes.issueKey('not a user')
  // @ts-expect-error and their arity
  void withNotes.notes.list()
  // @ts-expect-error the other feature is still absent
  void withNotes.terms
  // Core is all there.
  expect<Equals<Awaited<ReturnType<typeof withNotes.sessions.validate>>, Awaited<ReturnType<typeof plain.sessions.validate>>>>()

  const both = await createSigra({ ...options, database: pglite(), features: [notes(), terms({ version: '1' }), termsReport()] })
  const enabled = both.termsReport.enabled()
  expect<Equals<typeof enabled, boolean>>()
  const login = await both.auth.logIn({ login: 'a@example.com', password: 'x' })
  if (login.ok) {
    // A step's result flag, added by the feature's augmentation.
    expect<Equals<typeof login.termsRequired, boolean | undefined>>()
  }
  // The named type matches what createSigra returns.
  const named: Sigra<[ReturnType<typeof notes>]> = withNotes
  void named
}

test('a listed feature is on the instance, an unlisted one is not (the type claims above, at run time)', async () => {
  const plain = await createSigra({ ...options, database: pglite() })
  const withNotes = await createSigra({ ...options, database: pglite(), features: [notes()] })
  try {
    assert.equal('notes' in plain, false)
    assert.equal(typeof withNotes.notes.add, 'function')
    assert.equal('terms' in withNotes, false)
  } finally {
    await plain.close()
    await withNotes.close()
  }
})
