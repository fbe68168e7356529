import { PGlite } from '@electric-sql/pglite'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createSigra, SigraError } from 'sigra'
import { loadPGlite, pglite } from 'sigra/pglite'

function importError(code: string): Error {
  return Object.assign(new Error(`Cannot find package '@electric-sql/pglite' imported from somewhere`), { code })
}

for (const code of ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']) {
  test(`a missing @electric-sql/pglite (${code}) is a missing_dependency SigraError that says what to do`, async () => {
    const cause = importError(code)
    await assert.rejects(
      loadPGlite(() => Promise.reject(cause)),
      (error: unknown) => {
        assert.ok(error instanceof SigraError)
        assert.equal(error.code, 'missing_dependency')
        assert.match(error.message, /@electric-sql\/pglite/)
        assert.match(error.message, /npm install @electric-sql\/pglite/)
        assert.match(error.message, /postgres\(url\) from 'sigra\/postgres'/)
        assert.equal(error.cause, cause)
        return true
      },
    )
  })
}

test('an unrelated import failure is rethrown unchanged', async () => {
  const failure = Object.assign(new SyntaxError('Unexpected token'), { code: 'ERR_SOMETHING_ELSE' })
  await assert.rejects(
    loadPGlite(() => Promise.reject(failure)),
    (error: unknown) => error === failure,
  )
})

test('loadPGlite imports the installed package by default', async () => {
  const mod = await loadPGlite()
  assert.equal(typeof mod.PGlite.create, 'function')
})

test('pglite() with an open PGlite instance still works, and leaves it open for its owner', async () => {
  const instance = await PGlite.create()
  try {
    const sigra = await createSigra({
      database: pglite(instance),
      secret: 'test-secret-that-is-long-enough-0123456789',
      baseUrl: 'http://localhost:3000',
      appName: 'Acme',
    })
    await sigra.migrate()
    const result = await sigra.auth.register({ email: 'ada@example.com', password: 'correct horse battery staple' })
    assert.equal(result.ok, true)
    await sigra.close()
    assert.equal(instance.closed, false)
  } finally {
    await instance.close()
  }
})
