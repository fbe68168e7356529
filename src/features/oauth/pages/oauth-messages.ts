import { errorMessage } from '../../../web/error-messages.ts'

/** What the OAuth pages say for each code, naming the provider; anything else is core's sentence. */
export function oauthMessage(code: string, provider: string, retryAfter?: number): string {
  switch (code) {
    case 'invalid_state':
      return 'This sign-in could not be completed: it took too long, was already used, or was started in another browser or tab. Please start again.'
    case 'provider_error':
      return `${provider} did not complete the sign-in. Please try again, or use another way to sign in.`
    case 'access_denied':
      return `The sign-in was cancelled at ${provider}. Nothing was changed.`
    case 'account_exists':
      return `An account already uses the email address of your ${provider} account. Log in to it the way you usually do (or reset its password), then connect ${provider} from your settings.`
    case 'email_unverified':
      return `${provider} has not confirmed that you own the email address of your account there, so it cannot sign you up or into an existing account here. Verify the address at ${provider}, or sign up with your email address.`
    case 'account_unavailable':
      return 'This account cannot sign in at the moment.'
    case 'sign_up_disabled':
      return `No account here uses this ${provider} account. Log in the way you usually do, then connect ${provider} from your settings.`
    case 'identity_taken':
      return `This ${provider} account is already connected to another account here.`
    case 'already_linked':
      return `A ${provider} account is already connected to your account. Disconnect it first to connect another.`
    case 'not_linked':
    case 'wrong_account':
      return `That ${provider} account is not the one connected to your account.`
    case 'unknown_provider':
      return 'That sign-in provider is not offered here.'
    case 'last_method':
      return `${provider} is the only way left to sign in to your account. Set a password or connect another account first.`
    case 'unconfirmed':
      return 'Confirm your email address first (open the link we sent you), then connect the account.'
    case 'invalid':
      return 'That sign-in link asked to return to a page outside this site, so it was not started. Start again from the log-in page.'
    case 'invalid_session':
      return 'Your session has ended. Please log in again.'
    default:
      return errorMessage(code, retryAfter)
  }
}
