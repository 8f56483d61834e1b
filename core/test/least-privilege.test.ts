/**
 * Least privilege in process, tried as a hostile built-in would (issue 9, item 1): each attack is a procedure
 * of a plugin defined here, run through the host; each is refused with FORBIDDEN naming the plugin and what it
 * reached for, and the host and the other plugins keep serving.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { RpcError } from '../src/common/errors'
import type { Host } from '../src/host/create-host'
import type { CallInfo } from '../src/host/hooks'
import type { HostServiceName } from '../src/plugin/context-types'
import { definePlugin, type PluginContext } from '../src/plugin/definition'
import { HOST_ADMIN_PERMISSION, HOST_SERVICE_NAMES, HOST_SERVICE_PERMISSIONS, UNDECLARED_SERVICE_NAMES } from '../src/plugin/host-services'

type Attack = (ctx: { readonly services: unknown; call: PluginContext['call'] }) => unknown

const failure = (promise: Promise<unknown>) => promise.then(() => Promise.reject(new Error('expected a refusal')), (error: unknown) => error as RpcError)

/** The victim: a plugin with a store, a guarded procedure and a plain one. */
const notes = definePlugin({
  id: 'notes',
  version: '1.0.0',
  hostServices: ['stores'],
  setup: (ctx) => ctx.services.stores.open('notes').set('secret', 'the victim’s data'),
  procedures: (p) => ({
    read: p.procedure({ handler: (_input, ctx) => ctx.services.stores.open('notes').get('secret') }),
    wipe: p.procedure({ permission: 'notes.admin', handler: (_input, ctx) => ctx.services.stores.open('notes').clear() }),
  }),
})

/** A plugin that runs whatever attack it is told, with the declarations given. */
function hostile(attacks: Record<string, Attack>, declared: { hostServices?: readonly HostServiceName[]; permissions?: readonly string[]; id?: string } = {}) {
  return definePlugin({
    id: declared.id ?? 'hostile',
    version: '1.0.0',
    permissions: declared.permissions ?? [],
    hostServices: (declared.hostServices ?? []) as readonly [],
    procedures: (p) => ({
      attack: p.procedure({
        input: z.object({ name: z.string() }),
        handler: ({ name }, ctx) => attacks[name]!(ctx as never),
      }),
    }),
  })
}

/** The victim and the host still serve. */
async function stillServing(t: { readonly host: Host }): Promise<void> {
  await expect(t.host.call('notes.read')).resolves.toBe('the victim’s data')
  expect(t.host.plugins.get('notes')?.state).toBe('active')
}

describe('a plugin reaches only the host services it declares', () => {
  it('refuses every host service it did not declare, naming the plugin and the service', async () => {
    const attacks = Object.fromEntries(HOST_SERVICE_NAMES.map((name) => [name, (ctx: { services: unknown }) => (ctx.services as Record<string, unknown>)[name]]))
    const t = await createTestHost({ plugins: [notes, hostile(attacks)] })
    for (const name of HOST_SERVICE_NAMES) {
      const error = await failure(t.host.call('hostile.attack', { name }))
      expect(error).toBeInstanceOf(RpcError)
      expect(error).toMatchObject({ code: 'FORBIDDEN', data: { plugin: 'hostile', service: name } })
      expect(error.message).toContain(`Plugin "hostile" may not use the host service "${name}": the plugin did not declare it`)
    }
    await stillServing(t)
  })

  it('refuses everything else the host holds (router, container, plugin host, event bus, hooks, its settings), declared or not', async () => {
    const probe = await createTestHost({ plugins: [] })
    const given: readonly string[] = [...HOST_SERVICE_NAMES, ...UNDECLARED_SERVICE_NAMES]
    const hostOnly = Object.keys(probe.host.container.registrations).filter((name) => !given.includes(name))
    expect(hostOnly).toEqual(expect.arrayContaining(['router', 'container', 'pluginHost', 'eventBus', 'hooks', 'settings']))
    const attacks = Object.fromEntries(hostOnly.map((name) => [name, (ctx: { services: unknown }) => (ctx.services as Record<string, unknown>)[name]]))
    // Even with host.admin: the host's machinery is never in a plugin's scope.
    const t = await createTestHost({ plugins: [notes, hostile(attacks, { permissions: [HOST_ADMIN_PERMISSION] })] })
    for (const name of hostOnly) {
      const error = await failure(t.host.call('hostile.attack', { name }))
      expect(error).toMatchObject({ code: 'FORBIDDEN', data: { plugin: 'hostile', service: name } })
      expect(error.message).toMatch(/not a service plugins may declare/)
    }
    await stillServing(t)
  })

  it('refuses a guarded service it declared without the permission, and serves it with the permission', async () => {
    const guarded = HOST_SERVICE_NAMES.filter((name) => HOST_SERVICE_PERMISSIONS[name] !== '')
    expect(guarded.length).toBeGreaterThan(0)
    const attacks = Object.fromEntries(guarded.map((name) => [name, (ctx: { services: unknown }) => typeof (ctx.services as Record<string, unknown>)[name]]))
    const without = await createTestHost({ plugins: [notes, hostile(attacks, { hostServices: guarded })] })
    for (const name of guarded) {
      const error = await failure(without.host.call('hostile.attack', { name }))
      expect(error).toMatchObject({ code: 'FORBIDDEN', data: { plugin: 'hostile', service: name } })
      expect(error.message).toContain(`it needs the permission "${HOST_SERVICE_PERMISSIONS[name]}"`)
    }
    await stillServing(without)

    for (const name of guarded) {
      const granted = await createTestHost({ plugins: [hostile(attacks, { hostServices: [name], permissions: [HOST_SERVICE_PERMISSIONS[name]] })] })
      await expect(granted.host.call('hostile.attack', { name })).resolves.toBe('object')
    }
  })

  it('gives a host.admin holder facades of the admin services, never the host’s objects', async () => {
    const admin: readonly HostServiceName[] = HOST_SERVICE_NAMES.filter((name) => HOST_SERVICE_PERMISSIONS[name] === HOST_ADMIN_PERMISSION)
    let seen: Record<string, unknown> = {}
    const t = await createTestHost({
      plugins: [
        notes,
        definePlugin({
          id: 'admin',
          version: '1.0.0',
          permissions: [HOST_ADMIN_PERMISSION],
          hostServices: admin as readonly [],
          setup: (ctx) => void (seen = Object.fromEntries(admin.map((name) => [name, (ctx.services as Record<string, unknown>)[name]]))),
        }),
      ],
    })
    for (const name of admin) {
      const held: unknown = t.host.container.resolve(name)
      expect(seen[name]).not.toBe(held)
      expect(Object.isFrozen(seen[name])).toBe(true)
    }
    // The plugin host behind `plugins` could replace and remove plugins and reach their runtimes.
    expect(['runtime', 'add', 'replace', 'remove', 'definition'].filter((key) => key in (seen['plugins'] as object))).toEqual([])
    await expect((seen['plugins'] as { disable(id: string): Promise<unknown> }).disable('notes')).resolves.toMatchObject({ plugin: 'notes' })
    expect(t.host.plugins.get('notes')?.state).toBe('disabled')
  })

  it('never gives an installed package a guarded service, whatever its permissions say', async () => {
    const guarded = HOST_SERVICE_NAMES.filter((name) => HOST_SERVICE_PERMISSIONS[name] !== '')
    const attacks = Object.fromEntries(guarded.map((name) => [name, (ctx: { services: unknown }) => typeof (ctx.services as Record<string, unknown>)[name]]))
    const t = await createTestHost({ plugins: [notes] })
    await t.host.plugins.add(hostile(attacks, { hostServices: guarded, permissions: ['*'] }), { origin: 'installed' })
    for (const name of guarded) {
      const error = await failure(t.host.call('hostile.attack', { name }))
      expect(error).toMatchObject({ code: 'FORBIDDEN', data: { plugin: 'hostile', service: name } })
      expect(error.message).toContain('an installed package never gets')
    }
    await stillServing(t)
  })

  it('fails the activation of a plugin whose own service factory destructures an undeclared host service', async () => {
    const sneaky = definePlugin({
      id: 'sneaky',
      version: '1.0.0',
      services: { spy: ({ router }: { router: unknown }) => ({ router }) },
    })
    const t = await createTestHost({ plugins: [notes, sneaky] })
    expect(t.host.plugins.get('sneaky')).toMatchObject({
      state: 'failed',
      error: { message: expect.stringContaining('Plugin "sneaky" may not use the host service "router"') },
    })
    await stillServing(t)
  })

  it('cannot disable another plugin or read its settings: plugin management needs host.admin', async () => {
    const t = await createTestHost({
      plugins: [
        notes,
        hostile(
          {
            disable: (ctx) => (ctx.services as { plugins: { disable(id: string): unknown } }).plugins.disable('notes'),
            settings: (ctx) => (ctx.services as { pluginSettings: { describe(id: string): unknown } }).pluginSettings.describe('notes'),
          },
          { hostServices: ['plugins', 'pluginSettings'] },
        ),
      ],
    })
    for (const name of ['disable', 'settings']) {
      expect(await failure(t.host.call('hostile.attack', { name }))).toMatchObject({ code: 'FORBIDDEN', data: { plugin: 'hostile' } })
    }
    await stillServing(t)
  })

  it('cannot call as someone else: ctx.call is always made as the plugin, with its own grants', async () => {
    const t = await createTestHost({
      plugins: [
        notes,
        hostile({
          forged: (ctx) => ctx.call('notes.wipe', undefined, { caller: { id: 'main', kind: 'main', grants: ['*'] } } as never),
        }),
      ],
    })
    expect(await failure(t.host.call('hostile.attack', { name: 'forged' }))).toMatchObject({ code: 'FORBIDDEN' })
    await stillServing(t)
  })

  it('gets read-only views of the shared clock and runtime', async () => {
    const now = 1_000
    const t = await createTestHost({
      clock: { now: () => now },
      plugins: [
        notes,
        hostile(
          {
            clock: (ctx) => {
              ;(ctx.services as { clock: { now: () => number } }).clock.now = () => 0
            },
            runtime: (ctx) => {
              ;(ctx.services as { runtime: { appName: string } }).runtime.appName = 'pwned'
            },
            versions: (ctx) => {
              ;(ctx.services as { runtime: { versions: Record<string, string> } }).runtime.versions['node'] = 'pwned'
            },
          },
          { hostServices: ['clock', 'runtime'] },
        ),
      ],
    })
    for (const name of ['clock', 'runtime', 'versions']) {
      expect(await failure(t.host.call('hostile.attack', { name }))).toMatchObject({ code: 'INTERNAL' })
    }
    expect(t.host.container.cradle.clock.now()).toBe(1_000)
    expect(t.host.container.cradle.runtime.appName).toBe('Atomiton')
    expect(t.host.container.cradle.runtime.versions['node']).toBe(process.versions.node)
  })
})

describe('stores: a plugin opens only its own namespace', () => {
  const opener = (name: unknown): Attack => (ctx) => (ctx.services as { stores: { open(name: unknown): { get(key: string): unknown } } }).stores.open(name).get('secret')

  it('refuses another plugin’s store, the host’s stores and installed packages’ stores', async () => {
    const others = ['notes', 'notes.archive', 'settings', 'plugin-settings', 'pkg.notes.notes', 'hostileX', 'storage.notes']
    const t = await createTestHost({
      plugins: [notes, hostile(Object.fromEntries(others.map((name) => [name, opener(name)])), { hostServices: ['stores'] })],
    })
    t.host.container.cradle.stores.open('settings').set('secret', 'the host’s')
    for (const name of others) {
      const error = await failure(t.host.call('hostile.attack', { name }))
      expect(error).toMatchObject({ code: 'FORBIDDEN', data: { plugin: 'hostile', store: name } })
      expect(error.message).toContain('Plugin "hostile" may open only its own stores ("hostile" or "hostile.<name>")')
    }
    await stillServing(t)
    expect(t.host.container.cradle.stores.open('settings').get('secret')).toBe('the host’s')
  })

  it('opens its own (`<id>` and `<id>.<name>`) and lists only its own stores’ recoveries', async () => {
    const t = await createTestHost({
      plugins: [
        hostile(
          {
            own: (ctx) => {
              const { stores } = ctx.services as { stores: { open(name: string): { set(k: string, v: unknown): void; get(k: string): unknown } } }
              stores.open('hostile').set('a', 1)
              stores.open('hostile.cache').set('b', 2)
              return [stores.open('hostile').get('a'), stores.open('hostile.cache').get('b')]
            },
          },
          { hostServices: ['stores'] },
        ),
      ],
    })
    await expect(t.host.call('hostile.attack', { name: 'own' })).resolves.toEqual([1, 2])
  })

  it('refuses names that are not strings without running their code', async () => {
    let ran = false
    const hostileName = {
      toString() {
        ran = true
        return 'notes'
      },
    }
    const proxy = new Proxy({}, { get: () => { ran = true; return () => 'notes' } })
    const t = await createTestHost({
      plugins: [notes, hostile({ object: opener(hostileName), proxy: opener(proxy), nil: opener(null) }, { hostServices: ['stores'] })],
    })
    for (const name of ['object', 'proxy', 'nil']) {
      expect(await failure(t.host.call('hostile.attack', { name }))).toMatchObject({ code: 'FORBIDDEN', data: { plugin: 'hostile' } })
    }
    expect(ran).toBe(false)
    await stillServing(t)
  })
})

describe('call taps see only calls to their own plugin', () => {
  function tapper(id: string, permissions: readonly string[], seen: CallInfo[]) {
    return definePlugin({
      id,
      version: '1.0.0',
      permissions,
      setup(ctx) {
        ctx.hooks.callStart.tap('spy', (call) => void seen.push(call))
        ctx.hooks.callEnd.tap('spy', (call) => void seen.push(call))
      },
      procedures: (p) => ({ ping: p.procedure({ handler: () => 'pong' }) }),
    })
  }

  it('without host.admin, sees its own domain’s calls only', async () => {
    const seen: CallInfo[] = []
    const t = await createTestHost({ plugins: [notes, tapper('spy', [], seen)] })
    await t.host.call('notes.read')
    await t.host.call('spy.ping')
    expect(seen.map((call) => `${call.method} ${call.plugin}`)).toEqual(['spy.ping spy', 'spy.ping spy'])
    await stillServing(t)
  })

  it('with host.admin, sees every call', async () => {
    const seen: CallInfo[] = []
    const t = await createTestHost({ plugins: [notes, tapper('auditor', [HOST_ADMIN_PERMISSION], seen)] })
    await t.host.call('notes.read')
    expect(seen.map((call) => call.method)).toEqual(['notes.read', 'notes.read'])
  })

  it('gets a frozen record that cannot call anything, nor change the caller’s grants', async () => {
    const seen: CallInfo[] = []
    const renderer = { id: 'window:9', kind: 'renderer' as const, grants: ['spy.ping'] }
    const t = await createTestHost({ plugins: [notes, tapper('spy', [HOST_ADMIN_PERMISSION], seen)] })
    await t.host.call('spy.ping', undefined, { caller: { ...renderer, kind: 'main' } })
    const record = seen[0]! as unknown as Record<string, unknown>
    expect(Object.keys(record).sort()).toEqual(['caller', 'method', 'plugin'])
    expect(['call', 'client', 'entry', 'services', 'emit'].filter((key) => key in record)).toEqual([])
    expect(Object.isFrozen(record)).toBe(true)
    const grants = (record['caller'] as { grants: string[] }).grants
    expect(() => grants.push('*')).toThrow(TypeError)
    await expect(t.host.call('notes.wipe', undefined, { caller: { ...renderer, kind: 'main' } })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await stillServing(t)
  })
})

describe('a handler sees its call, not the router’s machinery', () => {
  it('cannot reach the caller’s connection (to deliver made-up events), nor abort, start or read the route', async () => {
    const prober = definePlugin({
      id: 'prober',
      version: '1.0.0',
      procedures: (p) => ({
        reach: p.procedure({
          expose: true,
          handler: (_input, ctx) => {
            const internals = ['subscriber', 'entry', 'abort', 'expire', 'start', 'deadline', 'id'].filter((key) => key in ctx)
            const subscriber = (ctx as unknown as { subscriber?: { deliver(event: string, payload: unknown): void } }).subscriber
            subscriber?.deliver('notes.changed', { forged: true })
            return { internals, delivered: subscriber !== undefined }
          },
        }),
      }),
    })
    const t = await createTestHost({ plugins: [notes, prober] })
    // Through a connection (the test client's), where the call does have a subscriber behind it.
    await expect(t.client.$call('prober.reach')).resolves.toEqual({ internals: [], delivered: false })
    await stillServing(t)
  })
})
