import bcrypt from 'bcryptjs'
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ARGON2_OWASP, argon2idHasher, createSigra, SigraError } from 'sigra'
import { pglite } from 'sigra/pglite'
import { fastPasswordHasher } from '../src/testing/fast-hasher.ts'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'

const PASSWORD = 'lantern orchard pebble'
const ARGON2ID_OWASP = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/

/** A bcrypt hash as Devise, phx.gen.auth or PHP would have stored it (cost 4 keeps the suite fast). */
function bcryptHash(password: string, prefix: '$2a$' | '$2b$' | '$2y$'): string {
  const hash = bcrypt.hashSync(password, 4)
  assert.ok(hash.startsWith('$2b$'))
  return prefix + hash.slice(4)
}

describe('argon2idHasher (default)', () => {
  const hasher = argon2idHasher()

  test('hashes with Argon2id at OWASP parameters (m=19456, t=2, p=1)', async () => {
    assert.deepEqual(ARGON2_OWASP, { memoryCost: 19456, timeCost: 2, parallelism: 1 })
    const hash = await hasher.hash(PASSWORD)
    assert.match(hash, ARGON2ID_OWASP)
    assert.notEqual(await hasher.hash(PASSWORD), hash, 'salted: two hashes of one password differ')
  })

  test('verify is true for the password and false for another', async () => {
    const hash = await hasher.hash(PASSWORD)
    assert.equal(await hasher.verify(hash, PASSWORD), true)
    assert.equal(await hasher.verify(hash, 'lantern orchard pebbles'), false)
    assert.equal(await hasher.verify(hash, ''), false)
  })

  test('a malformed or unknown hash verifies false without throwing', async () => {
    const real = await hasher.hash(PASSWORD)
    const malformed = [
      '',
      'not a hash',
      PASSWORD,
      '$argon2id$',
      '$argon2id$v=19$m=19456,t=2,p=1$garbage',
      real.slice(0, -10),
      '$2b$99$' + 'a'.repeat(53), // bcrypt cost out of range
      '$2a$03$' + 'a'.repeat(53),
      '$2b$04$' + '!'.repeat(53),
      '$2x$04$' + 'a'.repeat(53),
      '$1$md5$saltsaltsaltsaltsalts',
    ]
    for (const hash of malformed) {
      assert.equal(await hasher.verify(hash, PASSWORD), false, hash)
    }
  })

  test('legacy bcrypt hashes ($2a$, $2b$, $2y$) verify', async () => {
    for (const prefix of ['$2a$', '$2b$', '$2y$'] as const) {
      const hash = bcryptHash(PASSWORD, prefix)
      assert.equal(await hasher.verify(hash, PASSWORD), true, prefix)
      assert.equal(await hasher.verify(hash, 'lantern orchard pebbles'), false, prefix)
    }
  })

  test('needsRehash is true for bcrypt and for Argon2 with other parameters, false for its own', async () => {
    for (const prefix of ['$2a$', '$2b$', '$2y$'] as const) assert.equal(hasher.needsRehash(bcryptHash(PASSWORD, prefix)), true, prefix)
    const fastHash = await fastPasswordHasher().hash(PASSWORD)
    assert.equal(hasher.needsRehash(fastHash), true)
    const stronger = await argon2idHasher({ memoryCost: 19456, timeCost: 3, parallelism: 1 }).hash(PASSWORD)
    assert.equal(hasher.needsRehash(stronger), true)
    assert.equal(hasher.needsRehash(await hasher.hash(PASSWORD)), false)
    // Another hasher's hash still verifies, so login can upgrade it.
    assert.equal(await hasher.verify(fastHash, PASSWORD), true)
  })
})

describeEachBackend('legacy bcrypt upgrade on login', (env) => {
  /** A user row as an import from a bcrypt-based app would leave it. */
  async function insertLegacyUser(hashedPassword: string): Promise<{ id: string; email: string }> {
    const { sigra, clock } = env()
    const email = uniqueEmail('legacy')
    const at = clock()
    const row = await sigra.db
      .insertInto('users')
      .values({ email, hashed_password: hashedPassword, confirmed_at: at, created_at: at, updated_at: at })
      .returning(['id', 'email'])
      .executeTakeFirstOrThrow()
    return row
  }
  const storedHash = async (id: string) =>
    (await env().sigra.db.selectFrom('users').select(['hashed_password', 'failed_login_attempts']).where('id', '=', id).executeTakeFirstOrThrow())

  test('a $2y$ bcrypt hash: login succeeds, the hash becomes Argon2id, the audit says hash_upgraded, login works again', async () => {
    const { sigra } = env()
    const legacy = bcryptHash(GOOD_PASSWORD, '$2y$')
    const user = await insertLegacyUser(legacy)

    const first = await sigra.auth.logIn({ login: user.email, password: GOOD_PASSWORD })
    assert.equal(first.ok, true)
    const upgraded = (await storedHash(user.id)).hashed_password ?? ''
    assert.ok(upgraded.startsWith('$argon2id$'), `hash was upgraded: ${upgraded.slice(0, 12)}`)
    assert.equal(sigra.config.hasher.needsRehash(upgraded), false)

    const [success] = (await sigra.audit.list({ userId: user.id, action: 'auth.login.success' })).events
    assert.equal(success?.metadata.hash_upgraded, true)

    const second = await sigra.auth.logIn({ login: user.email, password: GOOD_PASSWORD })
    assert.equal(second.ok, true)
    assert.equal((await storedHash(user.id)).hashed_password, upgraded, 'not rehashed again')
    const events = (await sigra.audit.list({ userId: user.id, action: 'auth.login.success' })).events
    assert.equal(events.length, 2)
    assert.equal(events[0]?.metadata.hash_upgraded, undefined, 'the newest success upgraded nothing')
  })

  test('$2a$ and $2b$ hashes are upgraded on login too', async () => {
    const { sigra } = env()
    for (const prefix of ['$2a$', '$2b$'] as const) {
      const user = await insertLegacyUser(bcryptHash(GOOD_PASSWORD, prefix))
      const result = await sigra.auth.logIn({ login: user.email, password: GOOD_PASSWORD })
      assert.equal(result.ok, true, prefix)
      assert.ok((await storedHash(user.id)).hashed_password?.startsWith('$argon2id$'), prefix)
    }
  })

  test('a wrong password against a bcrypt hash is invalid_credentials and does not upgrade', async () => {
    const { sigra } = env()
    const legacy = bcryptHash(GOOD_PASSWORD, '$2b$')
    const user = await insertLegacyUser(legacy)

    const result = await sigra.auth.logIn({ login: user.email, password: 'correct horse battery stapler' })
    assert.equal(result.ok ? 'ok' : result.error, 'invalid_credentials')
    const after = await storedHash(user.id)
    assert.equal(after.hashed_password, legacy)
    assert.equal(after.failed_login_attempts, 1)
    assert.equal((await sigra.audit.list({ userId: user.id, action: 'auth.login.success' })).events.length, 0)
  })
})

test("a hasher below OWASP's minimums refuses to start unless the host opts in", async () => {
  const base = { database: pglite(), secret: 'test-secret-that-is-long-enough-0123456789', baseUrl: 'http://localhost:3000', appName: 'Acme' }
  for (const params of [{ memoryCost: 8192, timeCost: 2, parallelism: 1 }, { memoryCost: 19456, timeCost: 1, parallelism: 1 }, { memoryCost: 1024, timeCost: 1, parallelism: 1 }]) {
    await assert.rejects(
      createSigra({ ...base, passwordHasher: argon2idHasher(params) }),
      (e: unknown) => e instanceof SigraError && e.code === 'invalid_config' && /OWASP/.test(e.message) && /allowWeakPasswordHashing/.test(e.message),
      JSON.stringify(params),
    )
  }
  await assert.rejects(createSigra({ ...base, passwordHasher: fastPasswordHasher() }), /OWASP/, 'the fast test hasher too')
  // OWASP's equivalent configurations are accepted, and so is anything with the explicit opt-in.
  for (const params of [{ memoryCost: 47104, timeCost: 1, parallelism: 1 }, { memoryCost: 12288, timeCost: 3, parallelism: 1 }, { memoryCost: 7168, timeCost: 5, parallelism: 1 }]) {
    assert.equal(argon2idHasher(params).belowOwaspMinimum, false, JSON.stringify(params))
  }
  const optedIn = await createSigra({ ...base, passwordHasher: fastPasswordHasher(), allowWeakPasswordHashing: true })
  await optedIn.close()
})
