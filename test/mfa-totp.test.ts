import assert from 'node:assert/strict'
import { test } from 'node:test'
import { base32Decode, base32Encode, timeStep, totpAt } from 'sigra/mfa'
import { matchTotp, otpauthUri } from '../src/features/mfa/totp.ts'

const ascii = (s: string) => new TextEncoder().encode(s)

// RFC 6238, appendix B: T0 = 0, X = 30, 8 digits.
const VECTORS: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
]

test('TOTP matches the RFC 6238 test vectors (SHA-1, SHA-256, SHA-512)', () => {
  const keys = { sha1: ascii('12345678901234567890'), sha256: ascii('12345678901234567890123456789012'), sha512: ascii('1234567890'.repeat(6) + '1234') }
  for (const [seconds, sha1, sha256, sha512] of VECTORS) {
    const step = timeStep(new Date(seconds * 1000))
    assert.equal(totpAt(keys.sha1, step, { digits: 8 }), sha1, `SHA-1 at ${seconds}`)
    assert.equal(totpAt(keys.sha256, step, { digits: 8, algorithm: 'sha256' }), sha256, `SHA-256 at ${seconds}`)
    assert.equal(totpAt(keys.sha512, step, { digits: 8, algorithm: 'sha512' }), sha512, `SHA-512 at ${seconds}`)
  }
})

test('base32 round-trips (RFC 4648 vectors) and refuses what is not base32', () => {
  const pairs: Array<[string, string]> = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']]
  for (const [plain, encoded] of pairs) {
    assert.equal(base32Encode(ascii(plain)), encoded)
    assert.deepEqual(base32Decode(encoded), ascii(plain))
    assert.deepEqual(base32Decode(`${encoded.toLowerCase()}===`), ascii(plain), 'case and padding ignored')
  }
  assert.equal(base32Decode('MZXW1'), null, '1 is not a base32 letter')
})

test('a code is accepted one step either side of now, not two; a code at or before the last accepted step is refused', () => {
  const key = ascii('12345678901234567890')
  const at = new Date(1_700_000_000_000)
  const now = timeStep(at)
  for (const offset of [-1, 0, 1]) assert.equal(matchTotp(key, totpAt(key, now + offset), at, null), now + offset, `offset ${offset}`)
  for (const offset of [-2, 2]) assert.equal(matchTotp(key, totpAt(key, now + offset), at, null), null, `offset ${offset}`)
  assert.equal(matchTotp(key, totpAt(key, now), at, now), null, 'replayed within its window')
  assert.equal(matchTotp(key, totpAt(key, now - 1), at, now - 1), null, 'an earlier step after a later one was used')
  assert.equal(matchTotp(key, totpAt(key, now + 1), at, now), now + 1, 'the next step is still good')
  for (const bad of ['', '12345', '1234567', 'abcdef', '12 345']) assert.equal(matchTotp(key, bad, at, null), null, JSON.stringify(bad))
})

test('the otpauth:// URI names the issuer and the account and carries the key', () => {
  const uri = new URL(otpauthUri({ issuer: 'Acme Corp', account: 'ada@example.com', key: ascii('12345678901234567890') }))
  assert.equal(uri.protocol, 'otpauth:')
  assert.equal(uri.host, 'totp')
  assert.equal(decodeURIComponent(uri.pathname), '/Acme Corp:ada@example.com')
  assert.equal(uri.searchParams.get('secret'), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')
  assert.equal(uri.searchParams.get('issuer'), 'Acme Corp')
  assert.equal(uri.searchParams.get('digits'), '6')
  assert.equal(uri.searchParams.get('period'), '30')
})
