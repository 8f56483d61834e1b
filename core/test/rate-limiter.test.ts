// The rate limiter's budgets: per authenticated client when the transport names one (so new connections
// buy no new budget), per caller otherwise, and a bucket that ran dry reopens only once a tenth refilled.
import { describe, expect, it } from 'vitest'
import type { Caller } from '../src/host/caller'
import { defaultRateLimitPolicyFor, RateLimiter } from '../src/host/rate-limiter'

const policy = { renderer: { capacity: 10, perSecond: 10 }, plugin: false, main: false } as const

function setup() {
  const clock = { now: 0 }
  const limiter = new RateLimiter(policy, { now: () => clock.now })
  const call = (caller: Caller) => limiter.check({ caller, method: 'demo.run', plugin: 'demo' })
  const drain = (caller: Caller, count: number) => Array.from({ length: count }, () => call(caller)).filter((refusal) => refusal !== undefined).length
  return { clock, limiter, call, drain }
}

const socket = (n: number, client?: string): Caller => ({ id: `ws:${n}`, kind: 'renderer', grants: [], ...(client ? { client } : {}) })

describe('RateLimiter', () => {
  it("shares one budget between a client's connections, and keeps it when they close", () => {
    const t = setup()
    expect(t.drain(socket(1, 'ws-client:1'), 10)).toBe(0)
    expect(t.call(socket(2, 'ws-client:1'))).toMatchObject({ code: 'RATE_LIMITED' })
    t.limiter.forget(socket(1, 'ws-client:1'))
    t.limiter.forget(socket(2, 'ws-client:1'))
    expect(t.call(socket(3, 'ws-client:1'))).toMatchObject({ code: 'RATE_LIMITED' })
    // Another client, and a caller without one, have budgets of their own.
    expect(t.call(socket(4, 'ws-client:2'))).toBeUndefined()
    expect(t.call(socket(5))).toBeUndefined()
  })

  it('forgets a client only once its bucket has refilled (nothing is lost by forgetting it)', () => {
    const t = setup()
    t.drain(socket(1, 'ws-client:1'), 5)
    t.limiter.forget(socket(1, 'ws-client:1'))
    expect(t.limiter.bucketCount).toBe(1)
    t.clock.now += 1000
    t.limiter.forget(socket(1, 'ws-client:1'))
    expect(t.limiter.bucketCount).toBe(0)
  })

  it('reopens a bucket that ran dry only once a tenth of it refilled, and says when without taking anything', () => {
    const clock = { now: 0 }
    const limiter = new RateLimiter({ renderer: { capacity: 100, perSecond: 100 }, plugin: false, main: false }, { now: () => clock.now })
    const caller = socket(1, 'ws-client:1')
    const call = () => limiter.check({ caller, method: 'demo.run', plugin: 'demo' })
    expect(Array.from({ length: 101 }, call).filter(Boolean)).toHaveLength(1)
    expect(limiter.waitMs(caller)).toBe(100)
    clock.now += 50
    // Five tokens are back, but the bucket stays closed until ten are.
    expect(call()).toMatchObject({ code: 'RATE_LIMITED', data: { retryAfterMs: 50 } })
    expect(limiter.waitMs(caller)).toBe(50)
    clock.now += 50
    expect(limiter.waitMs(caller)).toBe(0)
    expect(call()).toBeUndefined()
    expect(limiter.waitMs(socket(9, 'ws-client:9'))).toBe(0)
  })

  it('lets the default budget take two full batches at once', () => {
    const t = { clock: 0 }
    const limiter = new RateLimiter(defaultRateLimitPolicyFor(1000), { now: () => t.clock })
    const refused = Array.from({ length: 2000 }, () => limiter.check({ caller: socket(1), method: 'demo.run', plugin: 'demo' })).filter(Boolean)
    expect(refused).toEqual([])
  })
})
