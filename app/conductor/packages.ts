/**
 * Plugin packages, as the Settings view installs, upgrades and removes them (the `system` plugin's
 * `inspectPackage` / `installPlugin` / `uninstallPlugin`). Two steps, so a person approves what a package
 * asks for before it runs: `inspect` unpacks and validates an `npm pack` tarball into a staging folder and
 * says what it is and which permissions it requests (and, for an upgrade, which it adds or drops);
 * `install` activates that staged package with the permissions the person approved.
 */
import type { AppClient } from './index'

/** What `system.inspectPackage` answers (the shared interface of the packages branch). */
export interface PackageInspection {
  readonly stagingId: string
  readonly id: string
  readonly name: string
  readonly version: string
  readonly description: string
  readonly apiRange: string
  readonly permissions: readonly string[]
  readonly settingsSchema?: Readonly<Record<string, unknown>>
  /** Set when a plugin with this id is installed: this is an upgrade (or a reinstall). */
  readonly current?: { readonly version: string; readonly permissions: readonly string[] }
  readonly addedPermissions: readonly string[]
  readonly removedPermissions: readonly string[]
}

export interface InstallResult {
  readonly id: string
  readonly version: string
  readonly state: string
  readonly upgradedFrom?: string
}

export interface UninstallResult {
  readonly id: string
  readonly removed: true
  readonly dataDeleted: boolean
}

export function createPackagesFacade(client: AppClient) {
  return {
    /** Unpacks and validates a `.tgz` (its bytes); nothing runs yet. */
    inspect: async (archive: Uint8Array): Promise<PackageInspection> => (await client.$call('system.inspectPackage', { archive })) as PackageInspection,
    /** Activates a staged package; refused unless `approvedPermissions` is exactly what it requested. */
    install: async (stagingId: string, approvedPermissions: readonly string[]): Promise<InstallResult> =>
      (await client.$call('system.installPlugin', { stagingId, approvedPermissions: [...approvedPermissions] })) as InstallResult,
    /** Disposes every registration and removes the package; its stored data too when `deleteData`. */
    uninstall: async (id: string, deleteData: boolean): Promise<UninstallResult> =>
      (await client.$call('system.uninstallPlugin', { id, deleteData })) as UninstallResult,
  }
}
