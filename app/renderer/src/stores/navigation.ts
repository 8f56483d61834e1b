/**
 * Which view is shown, kept in the URL hash (`#/nodes`) so a reload stays put (the `?token=` in the
 * search part is left alone). Each view names the plugin it needs; the sidebar and the view itself show
 * when that plugin is not active.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

export type ViewId = 'system' | 'nodes' | 'workflows' | 'storage' | 'explorer' | 'settings'

export interface ViewInfo {
  readonly id: ViewId
  readonly title: string
  readonly subtitle: string
  /** The plugin the view is built on; `rpc` is the host itself (always there). */
  readonly plugin: string
}

export const VIEWS: readonly ViewInfo[] = [
  { id: 'system', title: 'System', subtitle: 'Health and runtime of the host', plugin: 'system' },
  { id: 'nodes', title: 'Nodes', subtitle: 'Run a single node with its inputs', plugin: 'node' },
  { id: 'workflows', title: 'Workflows', subtitle: 'Graphs of nodes: edit, validate and run', plugin: 'workflow' },
  { id: 'storage', title: 'Storage', subtitle: 'Browse and edit stored values', plugin: 'storage' },
  { id: 'explorer', title: 'API Explorer', subtitle: 'Call any method, watch any event', plugin: 'rpc' },
  { id: 'settings', title: 'Settings', subtitle: 'Turn plugins on and off', plugin: 'system' },
]

function fromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '')
  return VIEWS.some((view) => view.id === id) ? (id as ViewId) : 'system'
}

export const useNavigationStore = defineStore('navigation', () => {
  const current = ref<ViewId>(typeof location === 'undefined' ? 'system' : fromHash(location.hash))
  const view = computed(() => VIEWS.find((candidate) => candidate.id === current.value) ?? VIEWS[0]!)

  function go(id: ViewId): void {
    current.value = id
    if (typeof history !== 'undefined' && location.hash !== `#/${id}`) history.replaceState(null, '', `#/${id}`)
  }

  function listen(): () => void {
    const onHash = () => (current.value = fromHash(location.hash))
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }

  return { current, view, go, listen }
})
