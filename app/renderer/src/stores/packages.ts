/**
 * Plugin packages in the Settings view: a `.tgz` chosen or dropped is read as bytes and inspected by the
 * host (nothing runs yet); the person sees what it is and the permissions it asks for (for an upgrade: the
 * new version and the permissions added and dropped) and approves, which installs and activates it.
 * Removing an installed plugin asks first, with the choice to delete its stored data too. The plugin list
 * and the explorer follow through the catalog (`rpc.catalogChanged`), without a reload.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { InstallResult, PackageInspection, PluginDescription, UninstallResult } from '../conductor'
import { toErrorInfo, type ErrorInfo } from '../lib/errors'
import { useCatalogStore } from './catalog'
import { useConnectionStore } from './connection'

/** What the UI reads before sending: larger archives are refused here, at once (the host has its own bound). */
export const MAX_PACKAGE_BYTES = 50 * 1024 * 1024

export interface RemovalRequest {
  readonly id: string
  readonly version: string
}

export const usePackagesStore = defineStore('packages', () => {
  const connection = useConnectionStore()
  const catalog = useCatalogStore()
  /** What the host staged and awaits approval for. */
  const pending = shallowRef<PackageInspection | null>(null)
  const pendingRemoval = shallowRef<RemovalRequest | null>(null)
  const busy = ref<'reading' | 'inspecting' | 'installing' | 'removing' | null>(null)
  const error = ref<ErrorInfo | null>(null)
  const lastInstalled = shallowRef<InstallResult | null>(null)
  const lastRemoved = shallowRef<UninstallResult | null>(null)

  const canInstall = computed(() => catalog.hasMethod('system.inspectPackage') && catalog.hasMethod('system.installPlugin'))
  const canRemove = computed(() => catalog.hasMethod('system.uninstallPlugin'))

  function isInstalled(plugin: PluginDescription): boolean {
    return (plugin as { origin?: unknown }).origin === 'installed'
  }

  /** Reads a chosen or dropped file and asks the host to inspect it. */
  async function inspectFile(file: File): Promise<boolean> {
    error.value = null
    lastInstalled.value = null
    lastRemoved.value = null
    if (!/\.(tgz|tar\.gz)$/i.test(file.name)) {
      error.value = { code: 'INVALID_PARAMS', message: `"${file.name}" is not a plugin package: choose the .tgz that npm pack made`, issues: [] }
      return false
    }
    if (file.size > MAX_PACKAGE_BYTES) {
      error.value = { code: 'PAYLOAD_TOO_LARGE', message: `"${file.name}" is ${file.size} bytes; a package may have at most ${MAX_PACKAGE_BYTES}`, issues: [] }
      return false
    }
    try {
      busy.value = 'reading'
      const bytes = new Uint8Array(await file.arrayBuffer())
      busy.value = 'inspecting'
      pending.value = await connection.api().packages.inspect(bytes)
      return true
    } catch (caught) {
      error.value = toErrorInfo(caught)
      return false
    } finally {
      busy.value = null
    }
  }

  /** The person approved the requested permissions: install and activate. */
  async function approve(): Promise<boolean> {
    const inspection = pending.value
    if (!inspection) return false
    busy.value = 'installing'
    error.value = null
    try {
      lastInstalled.value = await connection.api().packages.install(inspection.stagingId, inspection.permissions)
      pending.value = null
      await catalog.refresh()
      return true
    } catch (caught) {
      error.value = toErrorInfo(caught)
      pending.value = null
      return false
    } finally {
      busy.value = null
    }
  }

  function dismiss(): void {
    pending.value = null
  }

  function requestRemoval(plugin: PluginDescription): void {
    error.value = null
    lastInstalled.value = null
    pendingRemoval.value = { id: plugin.id, version: plugin.version }
  }

  function dismissRemoval(): void {
    pendingRemoval.value = null
  }

  async function confirmRemoval(deleteData: boolean): Promise<boolean> {
    const request = pendingRemoval.value
    if (!request) return false
    busy.value = 'removing'
    error.value = null
    try {
      lastRemoved.value = await connection.api().packages.uninstall(request.id, deleteData)
      pendingRemoval.value = null
      await catalog.refresh()
      return true
    } catch (caught) {
      error.value = toErrorInfo(caught)
      pendingRemoval.value = null
      return false
    } finally {
      busy.value = null
    }
  }

  return {
    pending,
    pendingRemoval,
    busy,
    error,
    lastInstalled,
    lastRemoved,
    canInstall,
    canRemove,
    isInstalled,
    inspectFile,
    approve,
    dismiss,
    requestRemoval,
    dismissRemoval,
    confirmRemoval,
  }
})
