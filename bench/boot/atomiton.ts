/**
 * Scenario 6: built to boot/atomiton.js and spawned per op; the sample is spawn → the `ready` line.
 *
 * What a host process does before it can serve: import the kernel (awilix container, tapable hooks,
 * router, plugin loader) and the four built-in plugins, boot them with a memory store, and answer its
 * first call (`system.health`, which lists every plugin's state: all four must be active).
 */
import { createHost } from '@atomiton/core/host/create-host'
import { createMemoryStoreFactory } from '@atomiton/core/host/stores/memory-store'
import { builtinPlugins } from '@atomiton/plugins'

const host = await createHost({ plugins: builtinPlugins, stores: createMemoryStoreFactory() })
const health = (await host.call('system.health')) as { status: string; plugins: Array<{ id: string; state: string }> }
const inactive = health.plugins.filter((plugin) => plugin.state !== 'active')
if (inactive.length > 0 || health.plugins.length < builtinPlugins.length) {
  throw new Error(`not every built-in plugin is active: ${JSON.stringify(health.plugins)}`)
}
process.stdout.write('ready\n')
await host.dispose()
