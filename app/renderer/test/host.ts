/**
 * The renderer's stores on the real kernel: `createTestHost` with the built-in plugins (memory stores),
 * the conductor over its client, a fresh pinia, and the catalog loaded. No mocks.
 */
import type { AnyPluginDefinition } from '@atomiton/plugin-sdk'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { builtinPlugins } from '@atomiton/plugins'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { conductorFor } from '../src/conductor'
import { useCatalogStore } from '../src/stores/catalog'
import { useConnectionStore } from '../src/stores/connection'

/** `extraPlugins` load after the built-in ones (the renderer's types know only the built-ins). */
export async function rendererOnHost(
  extraPlugins: readonly AnyPluginDefinition[] = [],
): Promise<{ t: Awaited<ReturnType<typeof startHost>>; pinia: Pinia }> {
  const t = await startHost(extraPlugins)
  const pinia = createPinia()
  setActivePinia(pinia)
  useConnectionStore(pinia).attach(conductorFor(t.client))
  await useCatalogStore(pinia).start()
  return { t, pinia }
}

function startHost(extraPlugins: readonly AnyPluginDefinition[]) {
  return createTestHost({ plugins: [...builtinPlugins, ...extraPlugins] as unknown as typeof builtinPlugins })
}
