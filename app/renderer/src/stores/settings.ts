/**
 * Plugin management (the Settings view): the plugins with their state, dependencies and dependents come
 * from the catalog (live); toggling goes through `system.enablePlugin` / `system.disablePlugin`. A toggle
 * the host refuses with CONFLICT because of dependencies or dependents becomes a pending confirmation:
 * the user sees what else would change and confirms the cascade.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Output, PluginDescription } from '../conductor'
import { toErrorInfo, type ErrorInfo } from '../lib/errors'
import { useCatalogStore } from './catalog'
import { useConnectionStore } from './connection'

export type ToggleResult = Output<'system.enablePlugin'>

export interface CascadeRequest {
  readonly id: string
  readonly enable: boolean
  /** The other plugins the cascade would toggle too. */
  readonly affected: readonly string[]
  readonly message: string
}

export const useSettingsStore = defineStore('settings', () => {
  const connection = useConnectionStore()
  const catalog = useCatalogStore()
  const busy = ref<string | null>(null)
  const error = ref<{ id: string; error: ErrorInfo } | null>(null)
  const pendingCascade = shallowRef<CascadeRequest | null>(null)
  const lastResult = shallowRef<ToggleResult | null>(null)

  /** Every plugin but the host's own `rpc` domain. */
  const plugins = computed<readonly PluginDescription[]>(() => catalog.plugins.filter((plugin) => plugin.id !== 'rpc'))
  const canManage = computed(() => catalog.hasMethod('system.enablePlugin') && catalog.hasMethod('system.disablePlugin'))

  function isOn(plugin: PluginDescription): boolean {
    return plugin.state === 'active' || plugin.state === 'starting' || plugin.state === 'failed' || plugin.state === 'blocked' || plugin.state === 'inactive'
  }

  async function toggle(id: string, enable: boolean, cascade = false): Promise<boolean> {
    busy.value = id
    error.value = null
    try {
      const { system } = connection.api()
      const result = enable ? await system.enable(id, { cascade }) : await system.disable(id, { cascade })
      lastResult.value = result
      pendingCascade.value = null
      await catalog.refresh()
      return true
    } catch (caught) {
      const info = toErrorInfo(caught)
      const data = (info.data ?? {}) as { dependents?: string[]; dependencies?: string[]; required?: unknown }
      const affected = enable ? data.dependencies : data.dependents
      const cascadable = info.code === 'CONFLICT' && !cascade && Array.isArray(affected) && affected.length > 0 && !('required' in data)
      if (cascadable) pendingCascade.value = { id, enable, affected, message: info.message }
      else error.value = { id, error: info }
      return false
    } finally {
      busy.value = null
    }
  }

  function confirmCascade(): Promise<boolean> {
    const request = pendingCascade.value
    if (!request) return Promise.resolve(false)
    return toggle(request.id, request.enable, true)
  }

  function dismissCascade(): void {
    pendingCascade.value = null
  }

  return { busy, error, pendingCascade, lastResult, plugins, canManage, isOn, toggle, confirmCascade, dismissCascade }
})
