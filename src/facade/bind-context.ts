import { requestOf } from '../kernel/request-meta.ts'

/** A domain function: its explicit context first, then the caller's arguments. */
// `any[]`: the argument list is whatever each domain function declares; `Bound` reads it back exactly.
export type ContextFunction<C> = (ctx: C, ...args: any[]) => unknown

/** The same functions with the context bound: each keeps its own parameter names, optionality and result. */
export type Bound<C, T extends Record<string, ContextFunction<C>>> = {
  [K in keyof T]: T[K] extends (ctx: C, ...args: infer A) => infer R ? (...args: A) => R : never
}

/** Wraps an async facade call: e.g. refuse with `pending_migrations` until the schema is current. */
export type CallGate = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A) => Promise<R>

/**
 * Binds domain functions to one context for the facade, without repeating a signature: the facade's
 * types are read from the functions themselves. Every bound function must be async (the gate runs
 * before it); pure helpers are bound by hand.
 *
 * @example
 * const auth = bindContext(ctx, { register, logIn }, gate)   // auth.register(input) → register(ctx, input)
 */
export function bindContext<C extends object, T extends Record<string, ContextFunction<C>>>(ctx: C, functions: T, gate?: CallGate): Bound<C, T> {
  const bound: Record<string, unknown> = {}
  for (const [name, fn] of Object.entries(functions)) {
    const run = gate ? gate((c: C, args: unknown[]) => fn(c, ...args) as Promise<unknown>) : (c: C, args: unknown[]) => fn(c, ...args)
    // A `function`, not an arrow: called on a namespace scoped with `withRequest`, `this` carries the
    // request, which goes on the context. Called detached, it runs with the instance's context.
    bound[name] = function (this: unknown, ...args: unknown[]) {
      const request = requestOf(this)
      return run(request ? { ...ctx, request } : ctx, args)
    }
  }
  return bound as Bound<C, T>
}
