/** Key under which a Sigra instance carries its context, for `sigra/testing` (not public API). */
export const CONTEXT: unique symbol = Symbol.for('sigra.context')
