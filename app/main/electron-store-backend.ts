/**
 * The store backend inside Electron: electron-store (which extends conf and takes the same options, with
 * `name` instead of `configName`). All the logic (encoding, flat keys, recovery of damaged files, one
 * atomic write per batch) is shared with the conf backend in `@atomiton/core/host/stores`; only the
 * constructor call lives here, because importing electron-store pulls in Electron (so this file is
 * type-checked, and exercised through the conf backend's tests).
 *
 * Pass an absolute folder, e.g. `path.join(app.getPath('userData'), 'stores')`.
 */
import Store from 'electron-store'
import {
  confOptions,
  createConfLikeStoreFactory,
  type FileStoreFactoryOptions,
  type StoreFactory,
} from '@atomiton/core/host/stores'

export function createElectronStoreFactory(options: FileStoreFactoryOptions): StoreFactory {
  return createConfLikeStoreFactory(options, (name) => new Store({ ...confOptions(options.directory), name }))
}
