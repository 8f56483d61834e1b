/**
 * Rate limiting as a `callStart` tap: a token bucket per budget holder (and one more per holder and
 * procedure when the procedure declares its own `rateLimit`). The holder is the caller's authenticated
 * client when the transport names one (`caller.client`: all sockets of one WebSocket token share it, so a
 * client cannot reset its budget by opening new sockets), else the caller itself.
 *
 * A caller's own buckets are dropped when it disconnects; a client's outlive its connections, and are
 * dropped only once refilled (a full bucket is the same as a new one, so nothing is forgotten early).
 */
import { RpcError } from '../common/errors'
import type { Clock } from '../plugin/context-types'
import type { RateLimit } from '../plugin/definition'
import type { Caller, CallerKind } from './caller'
import type { Disposable } from './disposable'
import type { CallInfo, HostHooks } from './hooks'
import type { RouteEntry } from './router'

/** Per caller kind: a budget, or `false` for none. */
export type RateLimitPolicy = Readonly<Record<CallerKind, RateLimit | false>>

/**
 * The default budgets for a host whose batches carry up to `maxBatchSize` requests: a renderer may burst
 * two full batches and sustain one per second. The client sends same-tick calls as one batch, so a burst
 * smaller than a batch would refuse part of the app's own normal use (1,000 same-tick calls).
 */
export function defaultRateLimitPolicyFor(maxBatchSize: number): RateLimitPolicy {
  return { renderer: { capacity: 2 * maxBatchSize, perSecond: maxBatchSize }, plugin: false, main: false }
}

/** The default budgets with the default batch size (1,000): a burst of 2,000 calls, 1,000 per second. */
export const defaultRateLimitPolicy: RateLimitPolicy = defaultRateLimitPolicyFor(1000)

/**
 * A token bucket that, once it ran dry, stays closed until it has refilled a tenth of its capacity (at
 * least one token): a client flooding past its budget then gets its refusals in runs, and a transport can
 * refuse a whole run before decoding anything (`waitMs`), instead of decoding a large batch for every
 * token that trickles in. A client within its budget never notices.
 */
class Bucket {
  tokens: number
  updatedAt: number
  /** Set when the bucket ran dry: the tokens it needs before it opens again. */
  #reopenAt = 0
  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.capacity
    this.updatedAt = now
  }

  #refill(now: number): void {
    const elapsed = now - this.updatedAt
    if (elapsed > 0) {
      this.tokens = Math.min(this.limit.capacity, this.tokens + (elapsed * this.limit.perSecond) / 1000)
      this.updatedAt = now
    }
  }

  /** True when the bucket is as full as a new one. */
  isFull(now: number): boolean {
    this.#refill(now)
    return this.tokens >= this.limit.capacity
  }

  /** How many ms until the bucket gives a token (0: now). */
  waitMs(now: number): number {
    this.#refill(now)
    const needed = Math.max(1, this.#reopenAt)
    return this.tokens >= needed ? 0 : Math.ceil(((needed - this.tokens) * 1000) / this.limit.perSecond)
  }

  /** Takes a token, or returns how many ms until one is available. */
  take(now: number): number {
    if (this.waitMs(now) === 0) {
      this.#reopenAt = 0
      this.tokens -= 1
      return 0
    }
    this.#reopenAt ||= Math.max(1, this.limit.capacity / 10)
    return this.waitMs(now)
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
      hooks.connectionClosed.tap({ name: 'rate-limit', owner: 'host' }, (caller) => this.forget(caller)),
    ]
  }

  check(call: CallInfo): RpcError | undefined {
    const now = this.#clock.now()
    const general = this.#policy[call.caller.kind]
    const holder = call.caller.client ?? call.caller.id
    if (general) {
      const wait = this.#bucket(holder, general, now).take(now)
      if (wait > 0) return this.#refuse(call, wait)
    }
    const own = (call as Partial<{ entry: RouteEntry }>).entry?.procedure.rateLimit
    if (own && call.caller.kind !== 'main') {
      const wait = this.#bucket(`${holder}\u0000${call.method}`, own, now).take(now)
      if (wait > 0) return this.#refuse(call, wait)
    }
    return undefined
  }

  /**
   * How long until `caller` may make a call again (0: now), without taking anything: lets a transport
   * refuse a whole frame of an over-budget client before decoding it (see the WebSocket server).
   */
  waitMs(caller: Pick<Caller, 'id' | 'client' | 'kind'>): number {
    if (!this.#policy[caller.kind]) return 0
    const bucket = this.#buckets.get(caller.client ?? caller.id)
    return bucket ? bucket.waitMs(this.#clock.now()) : 0
  }

  /** A caller disconnected: its own buckets go, and its client's once they have refilled. */
  forget(caller: Pick<Caller, 'id' | 'client'>): void {
    const now = this.#clock.now()
    for (const [key, bucket] of this.#buckets) {
      if (key === caller.id || key.startsWith(`${caller.id}\u0000`)) this.#buckets.delete(key)
      else if (caller.client !== undefined && (key === caller.client || key.startsWith(`${caller.client}\u0000`)) && bucket.isFull(now)) this.#buckets.delete(key)
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

  /**
   * A refusal must cost less than the call it refuses (a flood is mostly refusals): no stack trace, which
   * no caller ever sees, and which made a refused call cost several times an answered one.
   */
  #refuse(call: CallInfo, retryAfterMs: number): RpcError {
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      return new RpcError('RATE_LIMITED', `Too many calls to ${call.method}; retry in ${retryAfterMs} ms`, { retryAfterMs })
    } finally {
      Error.stackTraceLimit = limit
    }
  }
}
