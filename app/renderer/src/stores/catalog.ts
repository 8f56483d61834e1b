/**
 * What this window may call right now: `rpc.discover()`, refreshed whenever the host says the catalog
 * changed (`rpc.catalogChanged`: a plugin was enabled, disabled or failed) or the link came back.
 * Everything plugin-dependent in the UI reads from here, so it follows without a reload.
 *
 * `follow(event, listener)` keeps a subscription alive for as long as the event is in the catalog: it
 * subscribes when the event appears (again) and lets go when its plugin goes away.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { Catalog, EventDescription, EventName, Events, PluginDescription, ProcedureDescription } from '../conductor'
import { toErrorInfo, type ErrorInfo } from '../lib/errors'
import { useConnectionStore } from './connection'

export const useCatalogStore = defineStore('catalog', () => {
  const connection = useConnectionStore()
  const catalog = shallowRef<Catalog | null>(null)
  const error = ref<ErrorInfo | null>(null)
  const loading = ref(false)
  /** Increments on every refresh that changed something. */
  const version = ref(0)
  /** Increments on every completed refresh, changed or not. */
  const loads = ref(0)
  let inFlight: Promise<void> | undefined
  let again = false
  let started = false

  const plugins = computed<readonly PluginDescription[]>(() => catalog.value?.plugins ?? [])
  const procedures = computed<ProcedureDescription[]>(() => plugins.value.flatMap((plugin) => plugin.procedures))
  const events = computed<EventDescription[]>(() => plugins.value.flatMap((plugin) => plugin.events))
  const methodSet = computed(() => new Set(procedures.value.map((procedure) => procedure.method)))
  const eventSet = computed(() => new Set(events.value.map((event) => event.event)))

  function plugin(id: string): PluginDescription | undefined {
    return plugins.value.find((candidate) => candidate.id === id)
  }
  function isActive(id: string): boolean {
    return plugin(id)?.state === 'active'
  }
  function hasMethod(method: string): boolean {
    return methodSet.value.has(method)
  }
  function hasEvent(event: string): boolean {
    return eventSet.value.has(event)
  }
  function procedure(method: string): ProcedureDescription | undefined {
    return procedures.value.find((candidate) => candidate.method === method)
  }

  async function load(): Promise<void> {
    loading.value = true
    try {
      const next = await connection.api().catalog.discover()
      if (JSON.stringify(next) !== JSON.stringify(catalog.value)) {
        catalog.value = next
        version.value++
      }
      error.value = null
    } catch (caught) {
      error.value = toErrorInfo(caught)
    } finally {
      loading.value = false
      loads.value++
    }
  }

  /** Discovers again; calls made while one is in flight coalesce into one more. */
  function refresh(): Promise<void> {
    if (inFlight) {
      again = true
      return inFlight
    }
    inFlight = (async () => {
      try {
        do {
          again = false
          await load()
        } while (again)
      } finally {
        // Cleared in the same microtask as the last `again` check: a change announced after it starts a
        // new refresh instead of joining one that is already over (a `.finally()` would leave that gap).
        inFlight = undefined
      }
    })()
    return inFlight
  }

  /** Subscribes to the host's catalog changes (once) and loads the catalog. */
  function start(): Promise<void> {
    if (!started) {
      started = true
      connection.api().catalog.onChange(() => void refresh())
      watch(() => connection.reconnects, () => void refresh())
    }
    return refresh()
  }

  function follow<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let subscription: (() => void) | undefined
    // Re-checked after every refresh: a plugin disabled and enabled again between two refreshes ended the
    // subscription (onEnd) while the event never left the catalog as seen here.
    const stop = watch(
      () => [hasEvent(event), loads.value] as const,
      ([present]) => {
        if (present && !subscription) {
          subscription = connection.client().$on(event, listener, { onEnd: () => (subscription = undefined), onError: () => (subscription = undefined) })
        } else if (!present && subscription) {
          subscription()
          subscription = undefined
        }
      },
      { immediate: true },
    )
    return () => {
      stop()
      subscription?.()
      subscription = undefined
    }
  }

  return { catalog, error, loading, version, loads, plugins, procedures, events, plugin, isActive, hasMethod, hasEvent, procedure, refresh, start, follow }
})
