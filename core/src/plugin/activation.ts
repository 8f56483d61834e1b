/**
 * How the plugin host activates a plugin: in process (`PluginRuntime`), or in its own process (an installed
 * package by default: core/src/isolation/). The plugin host only needs this much from either.
 */
import type { PluginHostDependencies } from './plugin-host'
import type { PluginErrorInfo, PluginProcessInfo } from './plugin-info'

export interface PluginActivation {
  /** Activates within `timeoutMs` (TIMEOUT past it); on failure everything is undone and the error thrown. */
  activate(timeoutMs: number): Promise<void>
  /** Undoes the activation within `timeoutMs`; never throws for the plugin's own failures. */
  deactivate(timeoutMs: number): Promise<unknown>
}

/** What an isolated plugin tells the plugin host about its process while it is active. */
export interface ProcessFaults {
  /** The process crashed, exited or stopped answering: the plugin is `failed` (with why) while it restarts. */
  failed(error: PluginErrorInfo): void
  /** It serves again after a restart: `active`. */
  recovered(): void
  /** Too many restarts: deactivate it; it stays `failed` until a person enables it again. */
  gaveUp(error: PluginErrorInfo): void
}

/** The host side of a plugin that runs in its own process (one per loaded package, across activations). */
export interface IsolatedRuntime {
  activation(deps: PluginHostDependencies, faults: ProcessFaults): PluginActivation
  processInfo(): PluginProcessInfo
}
