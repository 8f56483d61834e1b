/**
 * The renderer's stores on the real kernel: `createTestHost` with the built-in plugins (memory stores),
 * the conductor over its client, a fresh pinia, and the catalog loaded. No mocks.
 */
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { builtinPlugins } from '@atomiton/plugins'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { conductorFor } from '../src/conductor'
import { useCatalogStore } from '../src/stores/catalog'
import { useConnectionStore } from '../src/stores/connection'

export async function rendererOnHost(): Promise<{ t: Awaited<ReturnType<typeof startHost>>; pinia: Pinia }> {
  const t = await startHost()
  const pinia = createPinia()
  setActivePinia(pinia)
  useConnectionStore(pinia).attach(conductorFor(t.client))
  await useCatalogStore(pinia).start()
  return { t, pinia }
}

function startHost() {
  return createTestHost({ plugins: builtinPlugins })
}
