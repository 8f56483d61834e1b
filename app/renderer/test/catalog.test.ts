import { describe, expect, it, vi } from 'vitest'
import { useCatalogStore } from '../src/stores/catalog'
import { builtinPlugins } from '@atomiton/plugins'
import { rendererOnHost } from './host'

describe('the catalog store', () => {
  it('lists what this window may call, grouped by plugin', async () => {
    await rendererOnHost()
    const catalog = useCatalogStore()
    expect(catalog.plugins.map((plugin) => plugin.id)).toEqual(['rpc', ...builtinPlugins.map((plugin) => plugin.id)])
    expect(catalog.hasMethod('node.execute')).toBe(true)
    expect(catalog.hasEvent('workflow.progress')).toBe(true)
    expect(catalog.procedure('storage.set')?.input).toMatchObject({ type: 'object', required: ['namespace', 'key', 'value'] })
  })

  it('follows the host when another window turns a plugin off and on (no reload)', async () => {
    const { t } = await rendererOnHost()
    const catalog = useCatalogStore()
    const admin = t.connect()
    await admin.client.system.disablePlugin({ id: 'node', cascade: true })
    await vi.waitFor(() => expect(catalog.isActive('node')).toBe(false))
    expect(catalog.hasMethod('node.execute')).toBe(false)
    expect(catalog.hasMethod('workflow.run')).toBe(false)
    expect(catalog.plugin('workflow')?.state).toBe('disabled')

    await admin.client.system.enablePlugin({ id: 'workflow', cascade: true })
    await vi.waitFor(() => expect(catalog.hasMethod('workflow.run')).toBe(true))
    expect(catalog.isActive('node')).toBe(true)
  })

  it('keeps a followed event subscribed across its plugin being disabled and enabled again', async () => {
    const { t } = await rendererOnHost()
    const catalog = useCatalogStore()
    const seen: string[] = []
    catalog.follow('node.status', (status) => seen.push(`${status.type}:${status.state}`))
    const other = t.connect()
    await other.client.node.execute({ type: 'core.constant', inputs: { value: 1 } })
    await vi.waitFor(() => expect(seen).toContain('core.constant:succeeded'))

    await other.client.system.disablePlugin({ id: 'node', cascade: true })
    await vi.waitFor(() => expect(catalog.hasEvent('node.status')).toBe(false))
    await other.client.system.enablePlugin({ id: 'node' })
    await vi.waitFor(() => expect(catalog.hasEvent('node.status')).toBe(true))

    seen.length = 0
    // The subscription is made again once the event is back; executions after that are seen.
    await vi.waitFor(async () => {
      await other.client.node.execute({ type: 'core.constant', inputs: { value: 2 } })
      expect(seen).toContain('core.constant:succeeded')
    })
  })
})
