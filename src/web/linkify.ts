import { h, type Html } from './html.ts'

const URL_PATTERN = /https?:\/\/[^\s<>"']+/g

/** Plain text with its http(s) URLs as links (every part escaped; trailing punctuation stays text). */
export function linkify(text: string): Html {
  const parts: Html[] = []
  let last = 0
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(/[.,;:!?)]+$/, '')
    const start = match.index
    parts.push(h`${text.slice(last, start)}<a href="${url}">${url}</a>`)
    last = start + url.length
  }
  parts.push(h`${text.slice(last)}`)
  return h`${parts}`
}
