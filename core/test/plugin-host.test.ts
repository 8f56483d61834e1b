import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { RpcError } from '../src/common/errors'
import { createHost } from '../src/host/create-host'
import { createMemoryStoreFactory } from '../src/host/stores/memory-store'
import { definePlugin, event, type AnyPluginDefinition } from '../src/plugin/definition'
import { PluginGraphError } from '../src/plugin/order'
import { deferred } from './fixtures'

const simple = (id: string, dependencies: string[] = [], extra: Partial<{ required: boolean }> = {}) =>
  definePlugin({
    id,
    version: '1.0.0',
    dependencies,
    ...extra,
    procedures: (p) => ({ ping: p.procedure({ expose: true, handler: () => id }) }),
  })

const states = (t: { host: { plugins: { list(): readonly { id: string; state: string }[] } } }) =>
  Object.fromEntries(t.host.plugins.list().map((p) => [p.id, p.state]))

describe('loading and ordering', () => {
  it('activates plugins after their dependencies, whatever order they are given in', async () => {
    const order: string[] = []
    const tracked = (id: string, dependencies: string[] = []) =>
      definePlugin({ id, version: '1.0.0', dependencies, setup: () => void order.push(id) })
    await createTestHost({ plugins: [tracked('workflow', ['node', 'storage']), tracked('node'), tracked('storage'), tracked('ui', ['workflow'])] })
    expect(order).toEqual(['node', 'storage', 'workflow', 'ui'])
  })

  it('names the plugins of a dependency cycle', async () => {
    const error = await createHost({ plugins: [simple('a', ['c']), simple('b', ['a']), simple('c', ['b'])] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PluginGraphError)
    expect((error as PluginGraphError).message).toBe('Plugin dependency cycle: a -> c -> b -> a')
  })

  it('names a missing dependency and who needs it, and refuses duplicates', async () => {
    await expect(createHost({ plugins: [simple('a', ['ghost'])] })).rejects.toThrow('"a" depends on "ghost", which is not loaded')
    await expect(createHost({ plugins: [simple('a'), simple('a')] })).rejects.toThrow('Plugin "a" is loaded twice')
  })

  it('refuses malformed definitions when they are defined', () => {
    expect(() => definePlugin({ id: 'Bad Id', version: '1' })).toThrow(/must match/)
    expect(() => definePlugin({ id: 'rpc', version: '1' })).toThrow(/reserved/)
    expect(() => definePlugin({ id: 'x', version: '1', procedures: (p) => ({ 'a.b': p.procedure({ handler: () => 1 }) }) })).toThrow(/names must match/)
    expect(() =>
      definePlugin({
        id: 'x',
        version: '1',
        events: { same: { payload: z.object({}) } },
        procedures: (p) => ({ same: p.procedure({ handler: () => 1 }) }),
      }),
    ).toThrow(/both as a procedure and as an event/)
  })
})

describe('activation failures', () => {
  it('marks a plugin that throws while activating as failed, undoes what it did, and keeps the others serving', async () => {
    let disposed = false
    const broken = definePlugin({
      id: 'broken',
      version: '1.0.0',
      procedures: (p) => ({ hello: p.procedure({ expose: true, handler: () => 'never' }) }),
      setup(ctx) {
        ctx.onDispose(() => void (disposed = true))
        throw new Error('config file missing')
      },
    })
    const t = await createTestHost({ plugins: [simple('healthy'), broken, simple('dependent', ['broken'])] })
    expect(t.host.plugins.get('broken')).toMatchObject({ state: 'failed', error: { message: 'config file missing', code: 'ACTIVATION_FAILED' } })
    expect(t.host.plugins.get('dependent')).toMatchObject({ state: 'blocked', error: { code: 'DEPENDENCY_INACTIVE' } })
    expect(disposed).toBe(true)
    await expect(t.client.$call('healthy.ping')).resolves.toBe('healthy')
    await expect(t.client.$call('broken.hello')).rejects.toMatchObject({ code: 'PLUGIN_DISABLED', data: { plugin: 'broken', state: 'failed' } })
  })

  it('fails a plugin whose service cannot be built', async () => {
    const plugin = definePlugin({
      id: 'svc',
      version: '1.0.0',
      services: {
        db: (): never => {
          throw new Error('cannot open db')
        },
      },
    })
    const t = await createTestHost({ plugins: [plugin] })
    expect(t.host.plugins.get('svc')).toMatchObject({ state: 'failed', error: { message: expect.stringContaining('cannot open db') } })
  })
})

describe('disabling and enabling at runtime', () => {
  it('removes every registration of a disabled plugin, last in first out, and brings them back on enable', async () => {
    const disposals: string[] = []
    let setups = 0
    const plugin = definePlugin({
      id: 'full',
      version: '1.0.0',
      services: { cache: () => ({ dispose: () => void disposals.push('service') }) },
      events: { tick: event({ payload: z.object({ n: z.number() }), expose: true }) },
      procedures: (p) => ({ hello: p.procedure({ expose: true, handler: () => 'hi' }) }),
      setup(ctx) {
        setups++
        void ctx.services.cache
        ctx.hooks.callEnd.tap('count', () => undefined)
        ctx.setInterval(() => ctx.emit('tick', { n: 1 }), 60_000)
        ctx.contribute('demo.things', { name: 'thing' })
        ctx.on('rpc.catalogChanged', () => undefined)
        ctx.onDispose(() => void disposals.push('first registered'))
        ctx.onDispose(() => void disposals.push('last registered'))
      },
      teardown: () => void disposals.push('teardown'),
    })
    const t = await createTestHost({ plugins: [plugin] })
    const off = t.client.$on('full.tick', () => undefined)
    await off.ready
    expect(t.host.eventBus.subscriptionCount('full.tick')).toBe(1)

    await t.host.plugins.disable('full')
    expect(disposals).toEqual(['teardown', 'last registered', 'first registered', 'service'])
    expect(t.host.router.has('full.hello')).toBe(false)
    expect(t.host.eventBus.get('full.tick')).toBeUndefined()
    expect(t.host.eventBus.subscriptionCount()).toBe(0)
    expect(t.host.eventBus.listenerCount()).toBe(0)
    expect(t.host.extensions.contributionCount('full')).toBe(0)
    for (const hook of Object.values(t.host.hooks)) expect(hook.taps().filter((tap) => tap.owner === 'full')).toEqual([])
    await expect(t.client.$call('full.hello')).rejects.toMatchObject({ code: 'PLUGIN_DISABLED' })

    await t.host.plugins.enable('full')
    expect(setups).toBe(2)
    await expect(t.client.$call('full.hello')).resolves.toBe('hi')
    expect(t.host.extensions.contributionCount('full')).toBe(1)
  })

  it('keeps disposing after a failing disposer, and time-boxes a hanging one', async () => {
    const disposals: string[] = []
    const plugin = definePlugin({
      id: 'messy',
      version: '1.0.0',
      setup(ctx) {
        ctx.onDispose(() => void disposals.push('reached'))
        ctx.onDispose(() => new Promise<void>(() => undefined))
        ctx.onDispose(() => {
          throw new Error('disposer broke')
        })
      },
    })
    const t = await createTestHost({ plugins: [plugin], disposeTimeoutMs: 50 })
    await t.host.plugins.disable('messy')
    expect(t.host.plugins.get('messy')?.state).toBe('disabled')
    expect(disposals).toEqual(['reached'])
    expect(t.logs.some((e) => e.msg === 'Disposal failed')).toBe(true)
    expect(t.logs.some((e) => e.msg === 'Disposal timed out')).toBe(true)
  })

  it('aborts the calls in flight of a plugin being disabled', async () => {
    const started = deferred<AbortSignal>()
    const plugin = definePlugin({
      id: 'long',
      version: '1.0.0',
      procedures: (p) => ({ run: p.procedure({ expose: true, handler: (_i, ctx) => (started.resolve(ctx.signal), new Promise(() => undefined)) }) }),
    })
    const t = await createTestHost({ plugins: [plugin] })
    const call = t.client.long.run().catch((e: unknown) => e)
    const signal = await started.promise
    await t.host.plugins.disable('long')
    expect(signal.aborted).toBe(true)
    expect(await call).toMatchObject({ code: 'PLUGIN_DISABLED' })
  })

  it('refuses to disable a plugin that active plugins depend on, naming them, unless asked to cascade', async () => {
    const t = await createTestHost({ plugins: [simple('node'), simple('storage'), simple('workflow', ['node', 'storage']), simple('ui', ['workflow'])] })
    const refusal = await t.host.plugins.disable('node').catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(RpcError)
    expect(refusal).toMatchObject({ code: 'CONFLICT', data: { dependents: ['workflow', 'ui'] } })
    expect(states(t)).toMatchObject({ node: 'active', workflow: 'active', ui: 'active' })

    const result = await t.host.plugins.disable('node', { cascade: true })
    expect(result.changes.map((c) => `${c.id}:${c.to}`)).toEqual(['ui:disabled', 'workflow:disabled', 'node:disabled'])
    expect(states(t)).toMatchObject({ node: 'disabled', storage: 'active', workflow: 'disabled', ui: 'disabled' })
  })

  it('refuses to enable a plugin whose dependencies are off, unless asked to cascade', async () => {
    const t = await createTestHost({ plugins: [simple('node'), simple('workflow', ['node'])] })
    await t.host.plugins.disable('node', { cascade: true })
    await expect(t.host.plugins.enable('workflow')).rejects.toMatchObject({ code: 'CONFLICT', data: { dependencies: ['node'] } })
    const result = await t.host.plugins.enable('workflow', { cascade: true })
    expect(result.changes.map((c) => `${c.id}:${c.to}`)).toEqual(['node:active', 'workflow:active'])
  })

  it('never disables a required plugin, nor one a required plugin needs', async () => {
    const t = await createTestHost({ plugins: [simple('base'), simple('system', ['base'], { required: true })] })
    await expect(t.host.plugins.disable('system')).rejects.toMatchObject({ code: 'CONFLICT', data: { required: true } })
    await expect(t.host.plugins.disable('base', { cascade: true })).rejects.toMatchObject({ code: 'CONFLICT', data: { required: ['system'] } })
    await expect(t.host.plugins.disable('rpc')).rejects.toMatchObject({ code: 'CONFLICT' })
    await expect(t.host.plugins.disable('ghost')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('runs toggles one at a time, whatever order they are asked in', async () => {
    const t = await createTestHost({ plugins: [simple('a')] })
    const results = await Promise.all([t.host.plugins.disable('a'), t.host.plugins.enable('a'), t.host.plugins.disable('a')])
    expect(results.map((r) => r.changes.map((c) => c.to))).toEqual([['disabled'], ['active'], ['disabled']])
    expect(t.host.plugins.get('a')?.state).toBe('disabled')
  })

  it('activates a blocked plugin by itself once its dependency is back', async () => {
    let fail = true
    const flaky = definePlugin({ id: 'flaky', version: '1.0.0', setup: () => {
      if (fail) throw new Error('not yet')
    } })
    const t = await createTestHost({ plugins: [flaky, simple('user', ['flaky'])] })
    expect(states(t)).toMatchObject({ flaky: 'failed', user: 'blocked' })
    fail = false
    const result = await t.host.plugins.enable('flaky')
    expect(result.changes.map((c) => `${c.id}:${c.to}`)).toEqual(['flaky:active', 'user:active'])
  })
})

describe('persistence of the enabled set', () => {
  it('restores the plugins a person disabled after a restart', async () => {
    const stores = createMemoryStoreFactory()
    const plugins: AnyPluginDefinition[] = [simple('node'), simple('workflow', ['node']), simple('extra')]
    const first = await createHost({ plugins, stores })
    await first.plugins.disable('extra')
    await first.plugins.disable('node', { cascade: true })
    await first.dispose()

    const second = await createHost({ plugins, stores })
    expect(Object.fromEntries(second.plugins.list().map((p) => [p.id, p.state]))).toEqual({ rpc: 'active', node: 'disabled', workflow: 'disabled', extra: 'disabled' })
    await second.plugins.enable('extra')
    await second.dispose()

    const third = await createHost({ plugins, stores })
    expect(third.plugins.get('extra')?.state).toBe('active')
    await third.dispose()
  })
})

describe('the container', () => {
  it('gives each plugin its own scope over the host services, and disposes it on disable', async () => {
    const seen: unknown[] = []
    const make = (id: string) =>
      definePlugin({
        id,
        version: '1.0.0',
        hostServices: ['stores'],
        services: { own: () => ({ id }) },
        setup: (ctx) => void seen.push(ctx.services.own, ctx.services.stores),
      })
    const t = await createTestHost({ plugins: [make('one'), make('two')] })
    expect(seen[0]).toEqual({ id: 'one' })
    expect(seen[2]).toEqual({ id: 'two' })
    // Each its own view of the host's stores, confined to its namespace (see least-privilege.test.ts).
    expect(seen[1]).not.toBe(seen[3])
    expect(t.host.container.options.injectionMode).toBe('PROXY')
    expect(t.host.container.options.strict).toBe(true)
  })
})
