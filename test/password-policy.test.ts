import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import { createSigra, SigraError, type SigraOptions } from 'sigra'
import { pglite } from 'sigra/pglite'
import { resolveConfig } from '../src/kernel/config.ts'
import { checkPassword, type PasswordPolicy } from '../src/kernel/validation/password-policy.ts'
import { describeEachBackend, SECRET, uniqueEmail } from './support/harness.ts'

/** Options that pass validation; `pglite()` opens nothing until a dialect is created. */
const baseOptions = (): SigraOptions => ({ database: pglite(), secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme' })
const DEFAULT_POLICY: PasswordPolicy = resolveConfig(baseOptions()).password

function codes(password: unknown, policy: PasswordPolicy = DEFAULT_POLICY, context: Parameters<typeof checkPassword>[2] = {}): string[] {
  return checkPassword(password, policy, context).map((issue) => issue.code)
}

/** `length` characters with no short repeated unit and no common base. */
function varied(length: number): string {
  const hex = createHash('sha512').update('sigra').digest('hex') // 128 characters
  return hex.repeat(Math.ceil(length / hex.length)).slice(0, length)
}

describe('checkPassword: length (NIST SP 800-63B)', () => {
  test('the default minimum is 12 characters', () => {
    assert.equal(DEFAULT_POLICY.minLength, 12)
    assert.deepEqual(codes('kestrel-moo'), ['too_short'])
    assert.deepEqual(codes('kestrel-moon'), [])
  })

  test('the minimum is configurable down to 8', () => {
    const policy = resolveConfig({ ...baseOptions(), password: { minLength: 8 } }).password
    assert.equal(policy.minLength, 8)
    assert.deepEqual(codes('mq7#vbk2', policy), [])
    assert.deepEqual(codes('mq7#vbk', policy), ['too_short'])
  })

  test('createSigra refuses password.minLength 7 with invalid_config', async () => {
    await assert.rejects(
      createSigra({ ...baseOptions(), password: { minLength: 7 } }),
      (error: unknown) => error instanceof SigraError && error.code === 'invalid_config',
    )
  })

  test('the maximum is 256 characters by default: 256 accepted, 257 refused', () => {
    assert.equal(DEFAULT_POLICY.maxLength, 256)
    assert.deepEqual(codes(varied(256)), [])
    assert.deepEqual(codes(varied(257)), ['too_long'])
  })

  test('length is counted in code points, not UTF-16 units', () => {
    const emoji = (count: number, from = 0x1f300) => String.fromCodePoint(...Array.from({ length: count }, (_, i) => from + i))
    assert.equal(emoji(256).length, 512)
    assert.deepEqual(codes(emoji(256)), [])
    assert.deepEqual(codes(emoji(257)), ['too_long'])
    // 11 code points are 22 UTF-16 units: still too short.
    assert.deepEqual(codes(emoji(11)), ['too_short'])
  })

  test('length is counted after NFKC normalisation', () => {
    // U+FB01 (the "fi" ligature) becomes two code points.
    assert.deepEqual(codes(varied(255) + '\uFB01'), ['too_long'])
    assert.deepEqual(codes(varied(254) + '\uFB01'), [])
    assert.deepEqual(codes('kestrel-mo\uFB01'), [])
  })

  test('a 10 MB string is refused with too_long', () => {
    assert.deepEqual(codes(varied(10 * 1024 * 1024)), ['too_long'])
    // Full-width characters (which NFKC would rewrite) too.
    assert.deepEqual(codes('\uFF41'.repeat(10 * 1024 * 1024)), ['too_long'])
  })

  test('a non-string or empty password is refused', () => {
    assert.deepEqual(codes(undefined), ['invalid_type'])
    assert.deepEqual(codes(123456789012), ['invalid_type'])
    assert.deepEqual(codes(''), ['required'])
  })
})

describe('checkPassword: NFKC normalisation', () => {
  test('full-width and compatibility forms are judged as their plain forms', () => {
    assert.equal('ｃｏｒｒｅｃｔ horse battery'.normalize('NFKC'), 'correct horse battery')
    assert.deepEqual(codes('ｃｏｒｒｅｃｔ horse battery'), [])
    // Full-width "Password1234" is the common password it looks like.
    assert.deepEqual(codes('Ｐａｓｓｗｏｒｄ１２３４'), ['too_common'])
  })
})

describe('checkPassword: no composition rules', () => {
  test('an all-lower-case passphrase without digits or symbols is accepted', () => {
    assert.deepEqual(codes('correct horse battery staple'), [])
    assert.deepEqual(codes('lantern orchard pebble'), [])
  })

  test('an all-digit password that is not a sequence is accepted', () => {
    assert.deepEqual(codes('730519264853'), [])
  })
})

describe('checkPassword: blocklist', () => {
  test('common passwords and their decorated forms are too_common', () => {
    for (const password of ['password123456', 'Password1234!', 'qwertyuiop12', 'passwordpassword', 'P4ssw0rd2024', 'qwer12345678', '123qweasdzxc', 'Welcome2024!', '!!iloveyou2024']) {
      assert.deepEqual(codes(password), ['too_common'], password)
    }
  })

  test('extra password.blocklist words are refused, decorated or repeated', () => {
    const policy: PasswordPolicy = { ...DEFAULT_POLICY, blocklist: ['Zebrafish', 'sigra2024'] }
    assert.deepEqual(codes('zebrafish123!', policy), ['too_common'])
    assert.deepEqual(codes('ZEBRAFISHzebrafish', policy), ['too_common'])
    assert.deepEqual(codes('Sigra2024!!!!', policy), ['too_common'])
    assert.deepEqual(codes('zebrafish123!'), [], 'not refused without the extra word')
  })

  test("the app's name is refused", () => {
    const context = { appName: 'Acme' }
    assert.deepEqual(codes('Acme12345678', DEFAULT_POLICY, context), ['too_common'])
    assert.deepEqual(codes('!!ACME2024!!', DEFAULT_POLICY, context), ['too_common'])
    assert.deepEqual(codes('acmeACMEacmeACME!', DEFAULT_POLICY, context), ['too_common'])
    assert.deepEqual(codes('Acme12345678'), [], 'not refused for another app')
  })

  test('context words of four characters or more are refused anywhere in the password (NIST 800-63B)', () => {
    const policy: PasswordPolicy = { ...DEFAULT_POLICY, blocklist: ['spring'] }
    assert.deepEqual(codes('AcmeAuth-2026-spring', policy, { appName: 'Acme' }), ['too_common'], "the app's name inside")
    assert.deepEqual(codes('my 2026 spring collection', policy, { appName: 'Zeta' }), ['too_common'], 'a configured word inside')
    assert.deepEqual(codes('welcome to acme labs corp', DEFAULT_POLICY, { appName: 'Acme Labs' }), ['too_common'], 'a word of a multi-word name')
    assert.deepEqual(codes('alice.smith-password', DEFAULT_POLICY, { email: 'alice.smith@example.com' }), ['contains_email'], 'the local part inside')
    assert.deepEqual(codes('my friend smith is here', DEFAULT_POLICY, { email: 'alice.smith@example.com' }), ['contains_email'], 'a word of the local part inside')
    assert.deepEqual(codes('hello-adalovelace-77', DEFAULT_POLICY, { username: 'adalovelace' }), ['contains_username'], 'the username inside')
    assert.deepEqual(codes('quiet bluebird morning', DEFAULT_POLICY, { appName: 'Zeta', email: 'al@example.com', username: 'bob' }), [], 'words under four characters are not matched inside')
  })
})

describe('checkPassword: context and patterns', () => {
  test("the user's own email address is refused (contains_email)", () => {
    const context = { email: 'ada.lovelace@example.com' }
    assert.deepEqual(codes('ada.lovelace@example.com', DEFAULT_POLICY, context), ['contains_email'])
    assert.deepEqual(codes('Ada.Lovelace@Example.com!', DEFAULT_POLICY, context), ['contains_email'])
    assert.deepEqual(codes('ada.lovelace2024', DEFAULT_POLICY, context), ['contains_email'])
    assert.deepEqual(codes('ada.lovelace2024'), [], 'not refused for another user')
  })

  test('repetitive passwords are refused', () => {
    for (const password of ['aaaaaaaaaaaa', 'abababababab', '123123123123', 'abc123abc123', 'zaq1zaq1zaq1']) {
      assert.deepEqual(codes(password), ['repetitive'], password)
    }
  })

  test('sequential passwords are refused', () => {
    for (const password of ['123456789012', 'abcdefghijkl', '987654321098', 'qwertyuiopas', '1q2w3e4r5t6y']) {
      assert.deepEqual(codes(password), ['sequential'], password)
    }
  })
})

describeEachBackend('password policy through the API', (env) => {
  test('a password typed with full-width characters registers and logs in with either form', async () => {
    const { sigra } = env()
    const wide = 'ｃｏｒｒｅｃｔ horse battery'
    const plain = 'correct horse battery'

    const first = uniqueEmail('nfkc')
    assert.equal((await sigra.auth.register({ email: first, password: wide })).ok, true)
    assert.equal((await sigra.auth.logIn({ login: first, password: plain })).ok, true)
    assert.equal((await sigra.auth.logIn({ login: first, password: wide })).ok, true)

    const second = uniqueEmail('nfkc')
    assert.equal((await sigra.auth.register({ email: second, password: plain })).ok, true)
    assert.equal((await sigra.auth.logIn({ login: second, password: wide })).ok, true)
    const wrong = await sigra.auth.logIn({ login: second, password: 'ｃｏｒｒｅｃｔ horse batterx' })
    assert.equal(wrong.ok ? 'ok' : wrong.error, 'invalid_credentials')
  })

  test('register refuses a common password and the own email on the password field', async () => {
    const { sigra } = env()
    const email = uniqueEmail('policy')
    for (const [password, code] of [['Password1234!', 'too_common'], [email, 'contains_email'], ['Acme12345678', 'too_common']] as const) {
      const result = await sigra.auth.register({ email, password })
      assert.equal(result.ok, false)
      if (result.ok) continue
      assert.equal(result.error, 'invalid')
      assert.deepEqual(result.issues?.map((i) => [i.field, i.code]), [['password', code]], password)
    }
  })

  test('password.minLength 8: register accepts 8 characters and refuses 7', async () => {
    const { sigra } = await env().makeSigra({ password: { minLength: 8 } })
    const short = await sigra.auth.register({ email: uniqueEmail('min8'), password: 'mq7#vbk' })
    assert.deepEqual(short.ok ? [] : short.issues?.map((i) => i.code), ['too_short'])
    const email = uniqueEmail('min8')
    assert.equal((await sigra.auth.register({ email, password: 'mq7#vbk2' })).ok, true)
    assert.equal((await sigra.auth.logIn({ login: email, password: 'mq7#vbk2' })).ok, true)
  })
})
