import { describe, expect, it } from 'vitest'
import { useCatalogStore } from '../src/stores/catalog'
import { useSettingsStore } from '../src/stores/settings'
import { builtinPlugins } from '@atomiton/plugins'
import { rendererOnHost } from './host'

describe('the settings store', () => {
  it('asks before a cascade, then disables the plugin and its dependents', async () => {
    await rendererOnHost()
    const settings = useSettingsStore()
    const catalog = useCatalogStore()

    expect(await settings.toggle('node', false)).toBe(false)
    expect(settings.pendingCascade).toMatchObject({ id: 'node', enable: false, affected: ['workflow'] })
    expect(catalog.isActive('node')).toBe(true)

    expect(await settings.confirmCascade()).toBe(true)
    expect(settings.pendingCascade).toBeNull()
    expect(catalog.plugin('node')?.state).toBe('disabled')
    expect(catalog.plugin('workflow')?.state).toBe('disabled')
    expect(settings.lastResult?.changes.map((change) => `${change.id}:${change.to}`)).toEqual(['workflow:disabled', 'node:disabled'])
  })

  it('enables a plugin with the dependencies it needs, after confirmation', async () => {
    await rendererOnHost()
    const settings = useSettingsStore()
    await settings.toggle('node', false)
    await settings.confirmCascade()

    expect(await settings.toggle('workflow', true)).toBe(false)
    expect(settings.pendingCascade).toMatchObject({ id: 'workflow', enable: true, affected: ['node'] })
    await settings.confirmCascade()
    expect(useCatalogStore().isActive('workflow')).toBe(true)
    expect(useCatalogStore().isActive('node')).toBe(true)
  })

  it('shows a refusal that no cascade can fix as the plugin error', async () => {
    await rendererOnHost()
    const settings = useSettingsStore()
    expect(await settings.toggle('system', false)).toBe(false)
    expect(settings.pendingCascade).toBeNull()
    expect(settings.error).toMatchObject({ id: 'system', error: { code: 'CONFLICT' } })
    expect(settings.plugins.map((plugin) => plugin.id)).toEqual(builtinPlugins.map((plugin) => plugin.id))
  })
})
