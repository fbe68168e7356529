/**
 * How a sudo-gated page declares itself resumable (`sudo` on a signed-in page with a POST): when
 * its POST meets `sudo_required` it answers with `sudoPrompt(c, deps, page, form)`, and once the
 * password is confirmed the sudo page runs this page's POST again with the carried fields.
 */
export interface SudoAction {
  /** What the action does, completing “Confirm it is you to …”: 'change your email address'. */
  label: string
  /**
   * The form fields the action needs again after the password, carried in hidden inputs of the
   * password form (POST bodies only, never a URL). Only these are carried; default none. Never
   * list one the action does not need (a secret stays behind unless the action uses it).
   */
  fields?: readonly string[]
}
