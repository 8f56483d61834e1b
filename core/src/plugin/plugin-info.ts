/**
 * The plugin states and the answers of enable/disable, as callers (and the settings page) see them.
 * `starting`: an installed package the host found at start and is still loading or activating (in the
 * background, after the built-ins); a call to it waits for it within its own time limit.
 */
export type PluginState = 'inactive' | 'starting' | 'active' | 'disabled' | 'failed' | 'blocked' | 'uninstalled'

/** Where a plugin comes from: built into the app, or a package installed in the data folder. */
export type PluginOrigin = 'builtin' | 'installed'

export interface PluginErrorInfo {
  readonly message: string
  readonly code?: string
}

export interface PluginInfo {
  readonly id: string
  readonly version: string
  readonly description: string
  readonly state: PluginState
  /** Why it failed to activate, or what it waits for when blocked. */
  readonly error?: PluginErrorInfo
  readonly required: boolean
  /** It declares a settings schema (`system.getPluginSettings` describes it). */
  readonly hasSettings: boolean
  readonly dependencies: readonly string[]
  /** Plugins that declare this one as a dependency. */
  readonly dependents: readonly string[]
  readonly origin: PluginOrigin
  /** An installed package's folder. */
  readonly folder?: string
  /** The grants of the plugin's own calls (for a package: what the person approved). */
  readonly permissions: readonly string[]
  /** An isolated plugin's process (installed packages run each in its own process by default). */
  readonly process?: PluginProcessInfo
}

/** The state of an isolated plugin's process, as the Settings view shows it. */
export interface PluginProcessInfo {
  readonly pid?: number
  readonly state: 'starting' | 'running' | 'restarting' | 'stopped' | 'failed'
  /** Resident memory of the process at its last heartbeat. */
  readonly memoryBytes?: number
  /** Restarts after a crash since it was last enabled. */
  readonly restarts: number
  /** Why it last exited, stopped answering or failed to start. */
  readonly lastError?: string
  /** When the current process started (ms since the epoch). */
  readonly startedAt?: number
}

export interface ToggleOptions {
  /**
   * Disable: also disable every active dependent (last first). Enable: also enable every dependency that
   * is not active (first first). Without it, the toggle is refused with CONFLICT naming them.
   */
  readonly cascade?: boolean
}

export interface StateChangeRecord {
  readonly id: string
  readonly from: PluginState
  readonly to: PluginState
  readonly error?: PluginErrorInfo
  /** Set when the change is a package being installed, upgraded or uninstalled. */
  readonly reason?: 'installed' | 'upgraded' | 'uninstalled'
  /** The version now loaded (after an install or upgrade). */
  readonly version?: string
}

export interface ToggleResult {
  readonly plugin: string
  /** Every plugin whose state changed, in the order it changed. */
  readonly changes: readonly StateChangeRecord[]
}
