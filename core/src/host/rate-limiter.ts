/**
 * Rate limiting as a `callStart` tap: a token bucket per caller (and one more per caller and procedure
 * when the procedure declares its own `rateLimit`). Buckets of a caller are dropped when it disconnects.
 */
import { RpcError } from '../common/errors'
import type { Clock } from '../plugin/context-types'
import type { RateLimit } from '../plugin/definition'
import type { CallerKind } from './caller'
import type { Disposable } from './disposable'
import type { CallInfo, HostHooks } from './hooks'
import type { RouteEntry } from './router'

/** Per caller kind: a budget, or `false` for none. */
export type RateLimitPolicy = Readonly<Record<CallerKind, RateLimit | false>>

export const defaultRateLimitPolicy: RateLimitPolicy = {
  renderer: { capacity: 500, perSecond: 250 },
  plugin: false,
  main: false,
}

class Bucket {
  tokens: number
  updatedAt: number
  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.capacity
    this.updatedAt = now
  }

  /** Takes a token, or returns how many ms until one is available. */
  take(now: number): number {
    const elapsed = now - this.updatedAt
    if (elapsed > 0) {
      this.tokens = Math.min(this.limit.capacity, this.tokens + (elapsed * this.limit.perSecond) / 1000)
      this.updatedAt = now
    }
    if (this.tokens >= 1) {
      this.tokens -= 1
      return 0
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.limit.perSecond)
  }
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>()
  readonly #policy: RateLimitPolicy
  readonly #clock: Clock

  constructor(policy: RateLimitPolicy, clock: Clock) {
    this.#policy = policy
    this.#clock = clock
  }

  /** Taps the pipeline; returns the taps to remove. */
  install(hooks: HostHooks): Disposable[] {
    return [
      hooks.callStart.tap({ name: 'rate-limit', owner: 'host', stage: -100 }, (call) => this.check(call)),
      hooks.connectionClosed.tap({ name: 'rate-limit', owner: 'host' }, (caller) => this.forget(caller.id)),
    ]
  }

  check(call: CallInfo): RpcError | undefined {
    const now = this.#clock.now()
    const general = this.#policy[call.caller.kind]
    if (general) {
      const wait = this.#bucket(call.caller.id, general, now).take(now)
      if (wait > 0) return this.#refuse(call, wait)
    }
    const own = (call as Partial<{ entry: RouteEntry }>).entry?.procedure.rateLimit
    if (own && call.caller.kind !== 'main') {
      const wait = this.#bucket(`${call.caller.id}\u0000${call.method}`, own, now).take(now)
      if (wait > 0) return this.#refuse(call, wait)
    }
    return undefined
  }

  forget(callerId: string): void {
    for (const key of this.#buckets.keys()) {
      if (key === callerId || key.startsWith(`${callerId}\u0000`)) this.#buckets.delete(key)
    }
  }

  get bucketCount(): number {
    return this.#buckets.size
  }

  #bucket(key: string, limit: RateLimit, now: number): Bucket {
    let bucket = this.#buckets.get(key)
    if (!bucket) this.#buckets.set(key, (bucket = new Bucket(limit, now)))
    return bucket
  }

  #refuse(call: CallInfo, retryAfterMs: number): RpcError {
    return new RpcError('RATE_LIMITED', `Too many calls to ${call.method}; retry in ${retryAfterMs} ms`, { retryAfterMs })
  }
}
