import { describe, expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import type { Caller } from '@atomiton/core/host/caller'
import { isGranted } from '@atomiton/core/host/caller'
import { createHost, type Host } from '@atomiton/core/host/create-host'
import type { Catalog } from '@atomiton/core/host/host-domain'
import { definePlugin, event } from '@atomiton/core/plugin/definition'
import { builtinPlugins } from '@atomiton/plugins'
import { BASE_UI_GRANTS, isGrantPattern, uiGrantsOf } from './grants'
import { createLiveGrants } from './live-grants'

/** A plugin loaded after the built-ins (an installed package would be the same to the host). */
const extraPlugin = definePlugin({
  id: 'extra',
  version: '1.0.0',
  events: {
    poked: event({ payload: z.object({}), permission: 'extra.read', expose: true }),
    internal: event({ payload: z.object({}), permission: 'extra.events.private' }),
  },
  procedures: (p) => ({
    use: p.procedure({ permission: 'extra.use', expose: true, handler: () => 'used' }),
    admin: p.procedure({ permission: 'extra.admin', handler: () => 'secret' }),
  }),
})

async function hostWith(plugins: Parameters<typeof createHost>[0]['plugins']): Promise<Host> {
  const host = await createHost({ plugins })
  onTestFinished(() => host.dispose())
  return host
}

async function discover(host: Host, grants: readonly string[]): Promise<{ methods: string[]; events: string[] }> {
  const caller: Caller = { id: 'window:1', kind: 'renderer', grants }
  const catalog = (await host.call('rpc.discover', undefined, { caller })) as Catalog
  return {
    methods: catalog.plugins.flatMap((plugin) => plugin.procedures.map((procedure) => procedure.method)).sort(),
    events: catalog.plugins.flatMap((plugin) => plugin.events.map((entry) => entry.event)).sort(),
  }
}

describe('the grants of the UI, derived from what plugins expose', () => {
  it('are rpc.* and the permission of every exposed procedure and event, once each, sorted, never "*"', () => {
    const grants = uiGrantsOf([
      { permission: 'b.write', exposed: true },
      { permission: 'a.read', exposed: true },
      { permission: 'a.read', exposed: true },
      { permission: 'c.internal', exposed: false },
      { permission: '', exposed: true },
    ])
    expect(grants).toEqual(['rpc.*', 'a.read', 'b.write'])
    expect(Object.isFrozen(grants)).toBe(true)
    expect(uiGrantsOf([])).toEqual(BASE_UI_GRANTS)
  })

  it('reach every exposed procedure and event of the built-in plugins, and nothing a renderer cannot use', async () => {
    const host = await hostWith(builtinPlugins)
    const grants = createLiveGrants(host).current()
    expect(grants).not.toContain('*')
    expect(grants.every(isGrantPattern)).toBe(true)
    // Everything the renderer could reach with every grant, it reaches with the derived ones.
    expect(await discover(host, grants)).toEqual(await discover(host, ['*']))
    // Each grant is needed by something exposed (no permission of a non-exposed procedure leaks).
    const exposed = [...host.router.entries()].filter((route) => route.procedure.expose).map((route) => route.permission)
    const events = [...host.eventBus.entries()].filter((entry) => entry.definition.expose === true).map((entry) => entry.permission)
    for (const grant of grants.filter((grant) => !BASE_UI_GRANTS.includes(grant))) expect([...exposed, ...events]).toContain(grant)
  })

  it('follow the catalog: a plugin loaded later is covered, its private permissions are not, and a disabled one leaves', async () => {
    const host = await hostWith([...builtinPlugins, extraPlugin])
    const live = createLiveGrants(host)
    const before = live.current()
    expect(before).toEqual(expect.arrayContaining(['extra.use', 'extra.read']))
    expect(before).not.toContain('extra.admin')
    expect(before).not.toContain('extra.events.private')
    expect(isGranted(before, 'extra.admin')).toBe(false)
    expect(await discover(host, before)).toEqual(await discover(host, ['*']))
    expect(live.current()).toBe(before)

    await host.plugins.disable('extra')
    expect(live.current()).not.toContain('extra.use')
    await host.plugins.enable('extra')
    expect(live.current()).toContain('extra.use')
    live.dispose()
  })

  it('recognise well-formed grant patterns', () => {
    for (const grant of ['*', 'system.read', 'storage.*', 'storage.write.my-notes', 'a']) expect(isGrantPattern(grant), grant).toBe(true)
    for (const grant of ['', '**', 'storage.', '.read', 'storage.*.read', 'sto rage', '*.read']) expect(isGrantPattern(grant), grant).toBe(false)
  })
})
