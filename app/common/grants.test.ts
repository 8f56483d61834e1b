import { describe, expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import type { Caller } from '@atomiton/core/host/caller'
import { isGranted } from '@atomiton/core/host/caller'
import { createHost } from '@atomiton/core/host/create-host'
import type { Catalog } from '@atomiton/core/host/host-domain'
import { definePlugin, event } from '@atomiton/core/plugin/definition'
import { builtinPlugins } from '@atomiton/plugins'
import { APP_UI_GRANTS, DEFAULT_GRANTS_POLICY, grantsFor, isGrantPattern, type GrantsPolicy } from './grants'

/** A plugin the policy does not know: the UI must not reach it without a grant added on purpose. */
const extraPlugin = definePlugin({
  id: 'extra',
  version: '1.0.0',
  events: { poked: event({ payload: z.object({}), permission: 'extra.read', expose: true }) },
  procedures: (p) => ({
    use: p.procedure({ permission: 'extra.use', expose: true, handler: () => 'used' }),
  }),
})

async function catalogFor(grants: readonly string[]) {
  const host = await createHost({ plugins: [...builtinPlugins, extraPlugin] })
  onTestFinished(() => host.dispose())
  const discover = async (callerGrants: readonly string[]): Promise<{ methods: string[]; events: string[] }> => {
    const caller: Caller = { id: 'window:1', kind: 'renderer', grants: callerGrants }
    const catalog = (await host.call('rpc.discover', undefined, { caller })) as Catalog
    return {
      methods: catalog.plugins.flatMap((plugin) => plugin.procedures.map((procedure) => procedure.method)).sort(),
      events: catalog.plugins.flatMap((plugin) => plugin.events.map((entry) => entry.event)).sort(),
    }
  }
  return { policy: await discover(grants), everything: await discover(['*']) }
}

describe('the grants policy of the UI', () => {
  it('is the documented list, the same for Electron windows and browser pages, and never "*"', () => {
    expect(APP_UI_GRANTS).toEqual(['rpc.*', 'system.read', 'system.admin', 'storage.*', 'node.*', 'workflow.*'])
    expect(grantsFor('electron-window')).toEqual(APP_UI_GRANTS)
    expect(grantsFor('browser')).toEqual(APP_UI_GRANTS)
    expect(APP_UI_GRANTS).not.toContain('*')
    expect(APP_UI_GRANTS.every(isGrantPattern)).toBe(true)
  })

  it('hands out frozen copies that cannot change the policy', () => {
    const grants = grantsFor('browser')
    expect(Object.isFrozen(grants)).toBe(true)
    expect(Object.isFrozen(APP_UI_GRANTS)).toBe(true)
    expect(Object.isFrozen(DEFAULT_GRANTS_POLICY)).toBe(true)
    expect(grants).not.toBe(APP_UI_GRANTS)
  })

  it('takes another policy when given one', () => {
    const policy: GrantsPolicy = { 'electron-window': ['system.read'], browser: [] }
    expect(grantsFor('electron-window', policy)).toEqual(['system.read'])
    expect(grantsFor('browser', policy)).toEqual([])
  })

  it('covers the views: health, storage, nodes, workflows and toggling plugins', () => {
    for (const permission of ['system.read', 'system.admin', 'storage.read', 'storage.write', 'node.read', 'node.execute', 'workflow.read', 'workflow.write', 'workflow.run']) {
      expect(isGranted(APP_UI_GRANTS, permission), permission).toBe(true)
    }
    // Not a wildcard over the system domain: a future system permission is not granted silently.
    expect(isGranted(APP_UI_GRANTS, 'system.shutdown')).toBe(false)
    expect(isGranted(APP_UI_GRANTS, 'extra.use')).toBe(false)
  })

  it('reaches every exposed procedure and event of the built-in plugins, and nothing of another plugin', async () => {
    const { policy, everything } = await catalogFor(APP_UI_GRANTS)
    const builtin = (name: string) => !name.startsWith('extra.')
    expect(policy.methods).toEqual(everything.methods.filter(builtin))
    expect(policy.events).toEqual(everything.events.filter(builtin))
    expect(everything.methods).toContain('extra.use')
    expect(everything.events).toContain('extra.poked')
    expect(policy.methods).toEqual(expect.arrayContaining(['rpc.discover', 'system.health', 'system.disablePlugin', 'storage.set', 'node.execute']))
    expect(policy.methods.some((method) => method.startsWith('workflow.'))).toBe(true)
  })

  it('recognises well-formed grant patterns', () => {
    for (const grant of ['*', 'system.read', 'storage.*', 'storage.write.my-notes', 'a']) expect(isGrantPattern(grant), grant).toBe(true)
    for (const grant of ['', '**', 'storage.', '.read', 'storage.*.read', 'sto rage', '*.read']) expect(isGrantPattern(grant), grant).toBe(false)
  })
})
