/** The plugin states and the answers of enable/disable, as callers (and the settings page) see them. */
export type PluginState = 'inactive' | 'active' | 'disabled' | 'failed' | 'blocked'

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
}

export interface ToggleResult {
  readonly plugin: string
  /** Every plugin whose state changed, in the order it changed. */
  readonly changes: readonly StateChangeRecord[]
}
