/**
 * The host services every plugin sees in its container scope, and the host hooks it may tap.
 * Kept apart from the implementations so plugin-facing types import no host machinery.
 */
import type { Disposable } from '../host/disposable'
import type { Logger } from '../host/logger'
import type { CallEndHandler, CallStartHandler, PluginStateChange } from '../host/hooks'
import type { StoreFactory } from '../host/stores/key-value-store'
import type { PluginInfo, ToggleOptions, ToggleResult } from './plugin-info'
import type { PluginSettingsManager } from './settings'

export interface Clock {
  now(): number
}

/** What the running app is, for `system.getInfo` and friends. */
export interface RuntimeInfo {
  readonly appName: string
  readonly appVersion: string
  /** `node`, `v8`, and `electron`/`chrome` inside Electron. */
  readonly versions: Readonly<Record<string, string | undefined>>
  readonly platform: string
  readonly arch: string
  /** `electron`, `browser` (WebSocket mode) or `test`. */
  readonly mode: string
  /** When the host started (epoch ms). */
  readonly startedAt: number
  /** The process's memory use now, in bytes. */
  memory(): { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number }
}

/** Plugin management as the host offers it to privileged plugins (the settings page goes through `system`). */
export interface PluginManager {
  list(): readonly PluginInfo[]
  get(id: string): PluginInfo | undefined
  enable(id: string, options?: ToggleOptions): Promise<ToggleResult>
  disable(id: string, options?: ToggleOptions): Promise<ToggleResult>
}

export interface HostServices {
  readonly logger: Logger
  readonly clock: Clock
  /** Persistent stores (memory in unit tests, conf in Node, electron-store in Electron). */
  readonly stores: StoreFactory
  readonly runtime: RuntimeInfo
  readonly plugins: PluginManager
  /** Every plugin's settings (validated, persisted); a plugin reads its own through `ctx.settings`. */
  readonly pluginSettings: PluginSettingsManager
}

/** A host hook as a plugin sees it: every tap is removed when the plugin is disabled. */
export interface PluginHook<Fn> {
  tap(name: string, fn: Fn, options?: { stage?: number }): Disposable
}

export interface PluginHooks {
  /** Before a call runs (after resolution and permission): return an RpcError to refuse it. */
  readonly callStart: PluginHook<CallStartHandler>
  /** After a call answered, with its outcome and duration. */
  readonly callEnd: PluginHook<CallEndHandler>
  /** A plugin changed state (activated, disabled, failed). */
  readonly pluginStateChanged: PluginHook<(change: PluginStateChange) => void>
}
