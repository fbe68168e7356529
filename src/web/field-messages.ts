import type { FieldIssue } from '../kernel/result.ts'

export interface FieldRules {
  password: { minLength: number; maxLength: number }
}

/** A field issue as a sentence, from its code (never from text a request could have chosen). */
export function fieldMessage(issue: Pick<FieldIssue, 'field' | 'code'>, rules: FieldRules): string {
  const name = issue.field === 'email' || issue.field === 'login' ? 'email' : issue.field === 'username' ? 'username' : 'password'
  switch (issue.code) {
    case 'required':
      if (issue.field === 'login') return 'Enter your email address or username.'
      return name === 'email' ? 'Enter your email address.' : name === 'username' ? 'Enter a username.' : 'Enter a password.'
    case 'too_short':
      return `Use at least ${rules.password.minLength} characters.`
    case 'too_long':
      return name === 'password' ? `Use at most ${rules.password.maxLength} characters.` : 'This is too long.'
    case 'invalid_format':
      return name === 'email' ? 'Enter a valid email address, like name@example.com.'
        : name === 'username' ? 'Use 3–30 letters, digits, “_”, “.” or “-”, starting with a letter.'
        : 'This value is not valid.'
    case 'too_common':
      return 'This password is too common. Try a few unrelated words together.'
    case 'repetitive':
      return 'This password repeats itself too much. Choose something less predictable.'
    case 'sequential':
      return 'This password is a run of adjacent keys or characters. Choose something less predictable.'
    case 'contains_email':
      return 'Your password must not contain your email address or a part of it.'
    case 'contains_username':
      return 'Your password must not contain your username.'
    case 'invalid_characters':
      return 'This contains characters that cannot be used (such as a NUL byte).'
    case 'taken':
      return name === 'username' ? 'This username is taken.' : 'This value is taken.'
    case 'same_as_current':
      return 'Choose a password different from your current one.'
    default:
      return 'This value is not valid.'
  }
}
