/**
 * The installer (core/src/packages/package-manager.ts) as the CLI uses it, with the app closed: the same
 * validation and the same files, the stores of the data folder opened directly (conf), no running host.
 */
import { join, resolve } from 'node:path'
import { PackageManager } from '@atomiton/core/packages/package-manager'
import { createConfStoreFactory } from '@atomiton/core/host/stores'
import { builtinPlugins } from '@atomiton/plugins'
import { hostModules } from '../common/host-modules'

export function offlinePackages(dataDir: string): PackageManager {
  const directory = resolve(dataDir)
  const stores = createConfStoreFactory({ directory })
  return new PackageManager({
    pluginsDir: join(directory, 'plugins'),
    hostModules,
    stores,
    settings: stores.open('settings'),
    builtinIds: builtinPlugins.map((plugin) => plugin.id),
  })
}
