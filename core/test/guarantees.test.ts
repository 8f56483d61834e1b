// Issue 10, item 9: behaviours each of which was broken on purpose while the suite stayed green. Each
// test below was watched failing with its behaviour broken (named in the test), then passing restored.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { RpcError } from '../src/common/errors'
import { definePlugin, event } from '../src/plugin/definition'
import { deferred, mathPlugin } from './fixtures'

/** A procedure that runs until its signal aborts, and reports the abort reason. */
const hanging = (aborted?: (reason: unknown) => void) =>
  definePlugin({
    id: 'hang',
    version: '1.0.0',
    procedures: (p) => ({
      wait: p.procedure({
        expose: true,
        handler: (_input, ctx) =>
          new Promise<never>((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => {
              aborted?.(ctx.signal.reason)
              reject(ctx.signal.reason as Error)
            })
          }),
      }),
    }),
  })

describe('time limits on a quiet host', () => {
  // Broken on purpose: Deadlines#fire not re-arming for the next deadline. The later call then waits for
  // ever (nothing else on the host would arm the timer again). In process, so no client-side timer can
  // answer TIMEOUT in the host's place.
  it('times out a later deadline queued behind an earlier one, with no other call to wake the timer', { timeout: 5_000 }, async () => {
    const t = await createTestHost({ plugins: [hanging()] })
    const later = t.host.call('hang.wait', undefined, { timeoutMs: 60 }).catch((error: unknown) => error)
    const earlier = t.host.call('hang.wait', undefined, { timeoutMs: 10 }).catch((error: unknown) => error)
    expect(await earlier).toMatchObject({ code: 'TIMEOUT' })
    expect(await later).toMatchObject({ code: 'TIMEOUT' })
  })
})

describe('in-process listeners', () => {
  // Broken on purpose: EventBus.listen without its permission check.
  it('refuses a plugin a listener on an event it holds no grant for', async () => {
    const heard: unknown[] = []
    const eavesdropper = definePlugin({
      id: 'eavesdropper',
      version: '1.0.0',
      dependencies: ['math'],
      permissions: ['math.computed'],
      setup: (ctx) => void ctx.on('math.secret', (payload) => heard.push(payload)),
    })
    const t = await createTestHost({ plugins: [mathPlugin, eavesdropper] })
    expect(t.host.plugins.get('eavesdropper')).toMatchObject({ state: 'failed', error: { code: 'FORBIDDEN' } })
    await t.client.math.emitSecret()
    expect(heard).toEqual([])
  })
})

describe('event payloads', () => {
  // Broken on purpose: EventBus.emit delivering the raw payload instead of the parsed one.
  it('delivers the parsed payload: fields the event does not declare never reach a renderer or a listener', async () => {
    const heard: unknown[] = []
    const leaky = definePlugin({
      id: 'leaky',
      version: '1.0.0',
      events: { tick: event({ payload: z.object({ n: z.number() }), expose: true }) },
      procedures: (p) => ({
        emitTick: p.procedure({ expose: true, handler: (_input, ctx) => ctx.emit('tick', { n: 1, sessionToken: 'secret' } as { n: number }) }),
      }),
    })
    const ear = definePlugin({
      id: 'ear',
      version: '1.0.0',
      dependencies: ['leaky'],
      permissions: ['leaky.tick'],
      setup: (ctx) => void ctx.on('leaky.tick', (payload) => heard.push(payload)),
    })
    const t = await createTestHost({ plugins: [leaky, ear] })
    const received: unknown[] = []
    const off = t.client.$on('leaky.tick', (payload) => received.push(payload))
    await off.ready
    await t.client.leaky.emitTick()
    await expect.poll(() => received).toHaveLength(1)
    expect(received).toEqual([{ n: 1 }])
    expect(heard).toEqual([{ n: 1 }])
  })
})

describe('calls made by a handler', () => {
  // Broken on purpose: ActiveCall.call not passing the call's own signal on.
  it('inherit the signal of the call that makes them: cancelling the outer call aborts the inner one', { timeout: 5_000 }, async () => {
    const innerAborted = deferred<unknown>()
    const outerStarted = deferred<void>()
    const relay = definePlugin({
      id: 'relay',
      version: '1.0.0',
      dependencies: ['hang'],
      permissions: ['hang.*'],
      procedures: (p) => ({
        forward: p.procedure({
          expose: true,
          handler: (_input, ctx) => {
            outerStarted.resolve()
            return ctx.call('hang.wait')
          },
        }),
      }),
    })
    const t = await createTestHost({ plugins: [hanging((reason) => innerAborted.resolve(reason)), relay] })
    const controller = new AbortController()
    const outer = t.client.relay.forward(undefined, { signal: controller.signal }).catch((error: unknown) => error)
    await outerStarted.promise
    controller.abort()
    expect(await outer).toMatchObject({ code: 'CANCELLED' })
    const reason = await innerAborted.promise
    expect(reason).toBeInstanceOf(RpcError)
    expect(reason).toMatchObject({ code: 'CANCELLED' })
  })
})

describe('the client’s batching', () => {
  // Broken on purpose: the client's flush sending calls that were cancelled in the same tick.
  it('never sends a call cancelled in the tick it was made: the host does not run it', async () => {
    const ran: number[] = []
    const recorder = definePlugin({
      id: 'recorder',
      version: '1.0.0',
      procedures: (p) => ({ note: p.procedure({ input: z.number(), expose: true, handler: (n) => void ran.push(n) }) }),
    })
    const t = await createTestHost({ plugins: [recorder] })
    const controller = new AbortController()
    const cancelled = t.client.recorder.note(1, { signal: controller.signal }).catch((error: unknown) => error)
    const kept = t.client.recorder.note(2)
    controller.abort()
    expect(await cancelled).toMatchObject({ code: 'CANCELLED' })
    await kept
    expect(ran).toEqual([2])
    expect(t.bridge.stats.invokes).toBe(1)
  })
})
