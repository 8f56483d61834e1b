/**
 * The app proper, loaded only once the bridge is connected: pinia, the conductor over the typed client,
 * and the catalog that every plugin-dependent part of the UI follows.
 */
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { connectConductor } from './conductor'
import type { Link } from './connect'
import { useCatalogStore } from './stores/catalog'
import { useConnectionStore } from './stores/connection'
import { useSystemStore } from './stores/system'
import './styles/app.css'

export function mountApp(root: HTMLElement, link: Link): void {
  const pinia = createPinia()
  const app = createApp(App)
  app.use(pinia)
  useConnectionStore(pinia).attach(connectConductor(link.bridge), link)
  void useCatalogStore(pinia).start()
  useSystemStore(pinia).start()
  root.replaceChildren()
  app.mount(root)
}
