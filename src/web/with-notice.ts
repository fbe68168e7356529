/** Adds `?notice=code` to a local path, keeping its other parameters and its #fragment. */
export function withNotice(path: string, notice: string): string {
  const url = new URL(path, 'http://sigra.invalid')
  url.searchParams.set('notice', notice)
  return `${url.pathname}${url.search}${url.hash}`
}
