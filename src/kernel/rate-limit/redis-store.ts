import type { RateLimitStore, WindowRef } from './rate-limit-store.ts'
import type { WindowCounts } from './sliding-window.ts'

/**
 * Counts one attempt in KEYS[1] (this window) and reads KEYS[2] (the previous one), atomically and in
 * one round trip. The expiry is relative (ARGV[1] ms), so it never depends on Redis's clock agreeing
 * with the injected one; it is twice the window, as long as a window can still be someone's previous.
 */
const HIT = `local current = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return { current, tonumber(redis.call('GET', KEYS[2]) or '0') }`

/** The two commands the store sends, over either client's API. */
interface Commands {
  hit(current: string, previous: string, ttlMs: number): Promise<unknown>
  get(current: string, previous: string): Promise<unknown>
}

interface IoRedisLike {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>
  mget(...keys: string[]): Promise<unknown>
}

interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>
}

function commands(client: unknown, useRedisPackage: boolean): Commands {
  if (useRedisPackage) {
    const redis = client as NodeRedisLike
    return {
      hit: (current, previous, ttlMs) => redis.sendCommand(['EVAL', HIT, '2', current, previous, String(ttlMs)]),
      get: (current, previous) => redis.sendCommand(['MGET', current, previous]),
    }
  }
  const redis = client as IoRedisLike
  return {
    hit: (current, previous, ttlMs) => redis.eval(HIT, 2, current, previous, ttlMs),
    get: (current, previous) => redis.mget(current, previous),
  }
}

/**
 * `sigra:{rule:key}:window`. The braces are a Redis Cluster hash tag: both windows of a key hash to
 * one slot, so the script may touch both. Keys carry the window from the injected clock.
 */
function keys(ref: WindowRef): [current: string, previous: string] {
  const base = `sigra:{${ref.rule}:${ref.key}}`
  return [`${base}:${ref.window}`, `${base}:${ref.window - 1}`]
}

function counts(reply: unknown): WindowCounts {
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error('unexpected reply from Redis')
  return { current: Number(reply[0] ?? 0), previous: Number(reply[1] ?? 0) }
}

/**
 * Counters in Redis, shared by every app instance. `client` is an ioredis client you own, or a
 * node-redis (v4 or later) client with `{ useRedisPackage: true }`. Each counter is one key per rule,
 * key and window, expiring on its own. If Redis fails, the limiter counts in a per-process memory
 * store instead, rather than letting every attempt through or refusing them all. For that to happen
 * quickly during an outage, give the client fail-fast settings (ioredis: `enableOfflineQueue: false,
 * maxRetriesPerRequest: 1`); with defaults, commands queue while it reconnects.
 */
export function redisStore(client: unknown, options: { useRedisPackage?: boolean } = {}): RateLimitStore {
  const redis = commands(client, options.useRedisPackage === true)
  return {
    kind: 'redis',
    async hit(ref) {
      const [current, previous] = keys(ref)
      return counts(await redis.hit(current, previous, 2 * ref.durationMs))
    },
    async read(ref) {
      const [current, previous] = keys(ref)
      return counts(await redis.get(current, previous))
    },
  }
}
