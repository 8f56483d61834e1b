/**
 * The link to the host and the conductor every other store calls through. Set once at start
 * (`attach`); tests attach a conductor over a `createTestHost` client.
 */
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import type { AppClient, Conductor } from '../conductor'
import type { Link, LinkState } from '../connect'

export const useConnectionStore = defineStore('connection', () => {
  const conductor = shallowRef<Conductor | null>(null)
  const mode = ref<Link['mode'] | 'test'>('test')
  const state = ref<LinkState>('open')
  /** Increments each time the link comes back after a drop: stores reload what they show. */
  const reconnects = ref(0)
  let stopListening: (() => void) | undefined

  function attach(next: Conductor, link?: Link): void {
    stopListening?.()
    conductor.value = markRaw(next)
    mode.value = link?.mode ?? 'test'
    state.value = link?.state() ?? 'open'
    stopListening = link?.onStateChange((current) => {
      const wasDown = state.value !== 'open'
      state.value = current
      if (current === 'open' && wasDown) reconnects.value++
    })
  }

  /** The conductor; throws when nothing is attached (a programming error). */
  function api(): Conductor {
    if (!conductor.value) throw new Error('Nothing attached: call useConnectionStore().attach(conductor) first')
    return conductor.value
  }

  /** The typed client under the conductor, for what discovery drives (`$call`, `$on` by name). */
  function client(): AppClient {
    return api().client
  }

  return { conductor, mode, state, reconnects, attach, api, client }
})
