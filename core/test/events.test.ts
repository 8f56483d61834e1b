import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { definePlugin, event } from '../src/plugin/definition'
import { mathPlugin } from './fixtures'

describe('events', () => {
  it('reaches only the callers that subscribed', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const other = t.connect()
    const mine: unknown[] = []
    const theirs: unknown[] = []
    const off = t.client.$on('math.computed', (p) => mine.push(p))
    other.bridge.bridge.on('math.computed', (p) => theirs.push(p))
    await off.ready
    await other.client.math.add({ a: 2, b: 2 })
    await expect.poll(() => mine).toEqual([{ op: 'add', result: 4 }])
    expect(theirs).toEqual([])
    expect(other.bridge.stats.events).toBe(0)
  })

  it('shares one subscription between listeners of an event and ends it with the last one', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const a: unknown[] = []
    const b: unknown[] = []
    const offA = t.client.$on('math.computed', (p) => a.push(p))
    const offB = t.client.$on('math.computed', (p) => b.push(p))
    await Promise.all([offA.ready, offB.ready])
    expect(t.host.eventBus.subscriptionCount('math.computed')).toBe(1)
    offA()
    await t.client.math.add({ a: 1, b: 0 })
    await expect.poll(() => b).toHaveLength(1)
    expect(a).toEqual([])
    offB()
    await expect.poll(() => t.host.eventBus.subscriptionCount('math.computed')).toBe(0)
  })

  it('checks permission and exposure when subscribing', async () => {
    const t = await createTestHost({ plugins: [mathPlugin], grants: ['rpc.*'] })
    const errors: string[] = []
    const off = t.client.$on('math.computed', () => undefined, { onError: (e) => errors.push(e.code) })
    await expect(off.ready).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(errors).toEqual(['FORBIDDEN'])
    const hidden = t.connect({ grants: ['*'] }).client.$on('math.secret' as never, () => undefined)
    await expect(hidden.ready).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
    expect(t.host.eventBus.subscriptionCount()).toBe(0)
  })

  it('ends subscriptions when the caller disconnects', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const window = t.connect()
    await window.client.$on('math.computed', () => undefined).ready
    expect(t.host.eventBus.subscriptionCount()).toBe(1)
    window.close()
    expect(t.host.eventBus.subscriptionCount()).toBe(0)
  })

  it('ends subscriptions when the plugin is disabled, telling the subscriber', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const ended: string[] = []
    await t.client.$on('math.computed', () => undefined, { onEnd: (reason) => ended.push(reason) }).ready
    await t.host.plugins.disable('math')
    expect(t.host.eventBus.subscriptionCount()).toBe(0)
    await expect.poll(() => ended).toEqual(['plugin-disabled'])
  })

  it('validates emitted payloads: an invalid one throws at the emitter and reaches nobody', async () => {
    const plugin = definePlugin({
      id: 'emitter',
      version: '1.0.0',
      events: { happened: event({ payload: z.object({ at: z.date() }), expose: true }) },
      procedures: (p) => ({
        good: p.procedure({ expose: true, handler: (_i, ctx) => ctx.emit('happened', { at: new Date(1) }) }),
        bad: p.procedure({ expose: true, handler: (_i, ctx) => ctx.emit('happened', { at: 'yesterday' as never }) }),
      }),
    })
    const t = await createTestHost({ plugins: [plugin], exposeErrors: true })
    const seen: unknown[] = []
    await t.client.$on('emitter.happened', (p) => seen.push(p)).ready
    await expect(t.client.emitter.bad()).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('emitter.happened') })
    await t.client.emitter.good()
    await expect.poll(() => seen).toEqual([{ at: new Date(1) }])
  })

  it('lets plugins listen in process, and forgets their listeners on disable', async () => {
    const heard: unknown[] = []
    const listener = definePlugin({
      id: 'listener',
      version: '1.0.0',
      dependencies: ['math'],
      permissions: ['math.*'],
      setup: (ctx) => void ctx.on('math.computed', (p) => heard.push(p)),
    })
    const t = await createTestHost({ plugins: [mathPlugin, listener] })
    await t.client.math.add({ a: 1, b: 2 })
    expect(heard).toEqual([{ op: 'add', result: 3 }])
    await t.host.plugins.disable('listener')
    await t.client.math.add({ a: 1, b: 2 })
    expect(heard).toHaveLength(1)
  })
})
