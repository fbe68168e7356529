import { h, type Html } from '../../../web/html.ts'

/** A card of the user page: a titled region its forms post from, anchored by `id`. */
export function card(id: string, title: string, body: Html): Html {
  return h`<section class="card" id="${id}" aria-labelledby="${id}-title"><h2 id="${id}-title">${title}</h2>${body}</section>`
}
