import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeError } from '../src/kernel/safe-error-log.ts'

test('an error is logged by name, code, message and stack, never with the statement parameters it carries', () => {
  const error = Object.assign(new Error('duplicate key value violates unique constraint "users_email_live_key"'), {
    code: '23505',
    query: 'INSERT INTO users (email, hashed_password) VALUES ($1, $2)',
    params: ['ada@example.com', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'],
  })
  const line = describeError(error)
  assert.ok(line.startsWith('Error [23505]: duplicate key value violates unique constraint'))
  assert.ok(!line.includes('$argon2id$'), 'no password hash')
  assert.ok(!line.includes('ada@example.com'), 'no parameter values')
  assert.equal(describeError('plain'), 'plain')
})
