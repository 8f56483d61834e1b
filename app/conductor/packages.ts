/**
 * Plugin packages, as the Settings view installs, upgrades and removes them (the `system` plugin's
 * `inspectPackage` / `installPlugin` / `uninstallPlugin`). Two steps, so a person approves what a package
 * asks for before it runs: `inspect` unpacks and validates an `npm pack` tarball into a staging folder and
 * says what it is and which permissions it requests (and, for an upgrade, which it adds or drops);
 * `install` activates that staged package with the permissions the person approved.
 */
import type { OutputOf, RpcClient } from '@atomiton/core/client'
import type { AppApi } from './index'

type Out<M extends string> = OutputOf<AppApi, M>

export type PackageInspection = Out<'system.inspectPackage'>
export type InstallResult = Out<'system.installPlugin'>
export type UninstallResult = Out<'system.uninstallPlugin'>

export function createPackagesFacade(client: RpcClient<AppApi>) {
  return {
    /** Unpacks and validates a `.tgz` (its bytes, sent as they are); nothing runs yet. */
    inspect: (archive: Uint8Array<ArrayBuffer>): Promise<PackageInspection> => client.system.inspectPackage({ archive }),
    /** Activates a staged package; refused unless `approvedPermissions` is exactly what it requested. */
    install: (stagingId: string, approvedPermissions: readonly string[]): Promise<InstallResult> =>
      client.system.installPlugin({ stagingId, approvedPermissions: [...approvedPermissions] }),
    /** Disposes every registration and removes the package; its stored data and settings too when `deleteData`. */
    uninstall: (id: string, deleteData: boolean): Promise<UninstallResult> => client.system.uninstallPlugin({ id, deleteData }),
  }
}
