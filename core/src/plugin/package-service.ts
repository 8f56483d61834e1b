/**
 * Installed plugin packages as the host offers them to its privileged `system` plugin (the Settings view and
 * the CLI reach the same implementation, `core/src/packages/package-manager.ts`). Types only: a plugin sees
 * this interface through `ctx.services.packages`, never the installer's machinery.
 */
import type { JsonSchema } from '../host/json-schema'
import type { PluginInfo, PluginState } from './plugin-info'

/** A package to look at: a `.tgz` made by `npm pack`, or a folder on the host machine (absolute path). */
export interface PackageSourceInput {
  readonly archive?: Uint8Array
  readonly folder?: string
}

/** A package unpacked into a staging folder and fully validated, waiting for the person's approval. */
export interface PackageInspection {
  /** Hand it to `install` to move this very package into place. */
  readonly stagingId: string
  readonly id: string
  /** The npm package name. */
  readonly name: string
  readonly version: string
  readonly description: string
  /** The range of the host's plugin API the package supports (semver). */
  readonly apiRange: string
  /** What the package asks to be allowed to call. */
  readonly permissions: readonly string[]
  /** The JSON Schema (input side) of its settings, when it declares settings. */
  readonly settingsSchema?: JsonSchema
  /** The installed version this would upgrade. */
  readonly current?: { readonly version: string; readonly permissions: readonly string[] }
  readonly addedPermissions: readonly string[]
  readonly removedPermissions: readonly string[]
}

export interface InstallRequest {
  readonly stagingId: string
  /** Must equal the requested permissions: the person approved exactly these. */
  readonly approvedPermissions: readonly string[]
}

export interface InstallResult {
  readonly id: string
  readonly version: string
  readonly state: PluginState
  readonly upgradedFrom?: string
}

export interface UninstallRequest {
  readonly id: string
  /** Also delete the stores the plugin wrote. Default false: its data stays for a later install. */
  readonly deleteData?: boolean
}

export interface UninstallResult {
  readonly id: string
  readonly removed: true
  readonly dataDeleted: boolean
}

export interface PackageService {
  inspect(source: PackageSourceInput): Promise<PackageInspection>
  install(request: InstallRequest): Promise<InstallResult>
  uninstall(request: UninstallRequest): Promise<UninstallResult>
  /**
   * Installed packages that are on disk but not loaded (refused at start, or skipped in safe mode), and those
   * still `starting` (the host starts them in the background).
   */
  unloaded(): readonly PluginInfo[]
  /** Settles once the packages found at start are known (so `unloaded()` lists them); at once without packages. */
  listed(): Promise<void>
}
