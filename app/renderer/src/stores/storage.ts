/**
 * Storage browsing (the Storage view): namespaces, a namespace's keys with type, size and preview, one
 * key's value to view and edit as JSON, delete. Follows `storage.changed` to stay current.
 *
 * Keys come a page at a time (`storage.list` pages by key: `after` the previous page's last key), and
 * the search narrows them to those starting with what is typed (the host filters by prefix).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
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

export const PAGE_SIZE = 50

export const useStorageStore = defineStore('storage', () => {
  const connection = useConnectionStore()
  const catalog = useCatalogStore()
  const namespaces = shallowRef<readonly NamespaceInfo[]>([])
  const namespace = ref<string | null>(null)
  const entries = shallowRef<readonly StorageEntry[]>([])
  const total = ref(0)
  /** The `after` cursor of every page before the current one (the first page has none). */
  const cursors = ref<(string | undefined)[]>([])
  const after = ref<string | undefined>(undefined)
  const more = ref(false)
  /**
   * The page the shown entries are: its `after` cursor and number. A click on Next or Previous while the
   * asked-for page is still loading is ignored (it would step from the old page's last key), and the range
   * shown is the loaded page's, never the asked-for one.
   */
  const shown = ref<{ readonly after: string | undefined; readonly page: number }>({ after: undefined, page: 1 })
  const search = ref('')
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
    const prefix = search.value
    const cursor = after.value
    try {
      const page = await connection.api().storage.list(current, prefix, { ...(cursor === undefined ? {} : { after: cursor }), limit: PAGE_SIZE })
      if (namespace.value !== current || search.value !== prefix || after.value !== cursor) return
      // A page emptied by deletions: step back to the one before.
      if (page.entries.length === 0 && cursors.value.length > 0) {
        after.value = cursors.value.pop()
        return loadEntries()
      }
      entries.value = page.entries
      total.value = page.total
      more.value = page.more
      shown.value = { after: cursor, page: cursors.value.length + 1 }
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

  function firstPage(): void {
    cursors.value = []
    after.value = undefined
  }

  async function openNamespace(name: string): Promise<void> {
    namespace.value = name
    opened.value = null
    search.value = ''
    firstPage()
    await loadEntries()
  }

  async function find(prefix: string): Promise<void> {
    search.value = prefix
    firstPage()
    await loadEntries()
  }

  async function nextPage(): Promise<void> {
    const last = entries.value[entries.value.length - 1]
    if (!more.value || !last || shown.value.after !== after.value) return
    cursors.value = [...cursors.value, after.value]
    after.value = last.key
    await loadEntries()
  }

  async function previousPage(): Promise<void> {
    if (cursors.value.length === 0 || shown.value.after !== after.value) return
    const previous = [...cursors.value]
    after.value = previous.pop()
    cursors.value = previous
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

  /** 1-based number of the current page. */
  const pageNumber = computed(() => shown.value.page)

  return { namespaces, namespace, entries, total, more, search, pageNumber, pageSize: PAGE_SIZE, find, nextPage, previousPage, opened, error, start, refresh, loadNamespaces, loadEntries, openNamespace, openKey, save, remove, closeKey }
})
