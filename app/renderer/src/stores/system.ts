/**
 * Health and runtime information (the System view). From `start()` on, plugin state changes
 * (`system.pluginChanged`) are recorded as activity; while a view holds `watchLive()`, health and info
 * are refreshed on every change and polled (memory, uptime).
 */
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'
import type { Events, Output } from '../conductor'
import { toErrorInfo, type ErrorInfo } from '../lib/errors'
import { useCatalogStore } from './catalog'
import { useConnectionStore } from './connection'

export type Health = Output<'system.health'>
export type Info = Output<'system.getInfo'>
export type PluginChange = Events['system.pluginChanged']

export const useSystemStore = defineStore('system', () => {
  const connection = useConnectionStore()
  const catalog = useCatalogStore()
  const health = shallowRef<Health | null>(null)
  const info = shallowRef<Info | null>(null)
  const error = ref<ErrorInfo | null>(null)
  const updatedAt = ref<number | null>(null)
  /** The latest plugin state changes (`system.pluginChanged`), newest first. */
  const activity = ref<{ at: number; change: PluginChange }[]>([])
  let live = 0
  let started = false
  let timer: ReturnType<typeof setInterval> | undefined
  let stopWatching: (() => void) | undefined

  async function refresh(): Promise<void> {
    if (!catalog.isActive('system')) return
    try {
      const { system } = connection.api()
      const [nextHealth, nextInfo] = await Promise.all([system.health(), system.info()])
      health.value = nextHealth
      info.value = nextInfo
      updatedAt.value = Date.now()
      error.value = null
    } catch (caught) {
      error.value = toErrorInfo(caught)
    }
  }

  /** Records plugin activity from now on (once). */
  function start(): void {
    if (started) return
    started = true
    catalog.follow('system.pluginChanged', (change) => {
      activity.value = [{ at: Date.now(), change }, ...activity.value].slice(0, 20)
      if (live > 0) void refresh()
    })
  }

  /** Keeps health and info live while at least one caller holds it; returns the release. */
  function watchLive(intervalMs = 2000): () => void {
    start()
    if (live++ === 0) {
      stopWatching = watch(() => catalog.version, () => void refresh())
      timer = setInterval(() => void refresh(), intervalMs)
      void refresh()
    }
    let released = false
    return () => {
      if (released) return
      released = true
      if (--live > 0) return
      clearInterval(timer)
      stopWatching?.()
    }
  }

  return { health, info, error, updatedAt, activity, start, refresh, watchLive }
})
