/**
 * Storage browsing (the Storage view): namespaces, a namespace's keys with type, size and preview, one
 * key's value to view and edit as JSON, delete. Follows `storage.changed` to stay current.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'
import type { Output } from '../conductor'
import { toErrorInfo, type ErrorInfo } from '../lib/errors'
import { plain } from '../lib/plain'
import { useCatalogStore } from './catalog'
import { useConnectionStore } from './connection'

export type NamespaceInfo = Output<'storage.namespaces'>[number]
export type StorageEntry = Output<'storage.list'>['entries'][number]

export interface OpenValue {
  readonly namespace: string
  readonly key: string
  readonly value: unknown
  readonly type: string
}

export const useStorageStore = defineStore('storage', () => {
  const connection = useConnectionStore()
  const catalog = useCatalogStore()
  const namespaces = shallowRef<readonly NamespaceInfo[]>([])
  const namespace = ref<string | null>(null)
  const entries = shallowRef<readonly StorageEntry[]>([])
  const total = ref(0)
  const opened = shallowRef<OpenValue | null>(null)
  const error = ref<ErrorInfo | null>(null)
  let started = false

  async function loadNamespaces(): Promise<void> {
    if (!catalog.hasMethod('storage.namespaces')) {
      namespaces.value = []
      return
    }
    try {
      namespaces.value = await connection.api().storage.namespaces()
      error.value = null
    } catch (caught) {
      error.value = toErrorInfo(caught)
    }
  }

  async function loadEntries(): Promise<void> {
    const current = namespace.value
    if (current === null || !catalog.hasMethod('storage.list')) {
      entries.value = []
      total.value = 0
      return
    }
    try {
      const page = await connection.api().storage.list(current)
      if (namespace.value !== current) return
      entries.value = page.entries
      total.value = page.total
    } catch (caught) {
      error.value = toErrorInfo(caught)
    }
  }

  function start(): Promise<void> {
    if (!started) {
      started = true
      catalog.follow('storage.changed', (change) => {
        void loadNamespaces()
        if (change.namespace === namespace.value) void loadEntries()
        const key = opened.value
        if (key && key.namespace === change.namespace && (change.op === 'clear' || change.key === key.key || change.keys?.includes(key.key))) {
          void openKey(key.key)
        }
      })
      watch(() => catalog.version, () => void refresh())
    }
    return refresh()
  }

  async function refresh(): Promise<void> {
    await Promise.all([loadNamespaces(), loadEntries()])
  }

  async function openNamespace(name: string): Promise<void> {
    namespace.value = name
    opened.value = null
    await loadEntries()
  }

  async function openKey(key: string): Promise<void> {
    const current = namespace.value
    if (current === null) return
    try {
      const value = await connection.api().storage.get(current, key)
      const entry = entries.value.find((candidate) => candidate.key === key)
      opened.value = { namespace: current, key, value, type: entry?.type ?? typeof value }
      error.value = null
    } catch (caught) {
      error.value = toErrorInfo(caught)
    }
  }

  /** Writes a value; answers the error instead of throwing (the editor shows it at its field). */
  async function save(target: string, key: string, value: unknown): Promise<ErrorInfo | null> {
    try {
      await connection.api().storage.set(target, key, plain(value))
      if (namespace.value !== target) namespace.value = target
      await refresh()
      await openKey(key)
      return null
    } catch (caught) {
      return toErrorInfo(caught)
    }
  }

  async function remove(key: string): Promise<void> {
    const current = namespace.value
    if (current === null) return
    try {
      await connection.api().storage.remove(current, key)
      if (opened.value?.key === key) opened.value = null
      await refresh()
    } catch (caught) {
      error.value = toErrorInfo(caught)
    }
  }

  function closeKey(): void {
    opened.value = null
  }

  return { namespaces, namespace, entries, total, opened, error, start, refresh, loadNamespaces, loadEntries, openNamespace, openKey, save, remove, closeKey }
})
