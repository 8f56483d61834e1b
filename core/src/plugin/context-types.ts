/**
 * The host services a plugin may declare for its container scope, and the host hooks it may tap.
 * Kept apart from the implementations so plugin-facing types import no host machinery.
 */
import type { Disposable } from '../host/disposable'
import type { Logger } from '../host/logger'
import type { CallEndHandler, CallStartHandler, PluginStateChange } from '../host/hooks'
import type { StoreFactory, StoreRecovery } from '../host/stores/key-value-store'
import type { PackageService } from './package-service'
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

/**
 * Every damaged store file the host's stores set aside since start, whoever owned it (file paths and key
 * names, never values): what the storage plugin's `recoveries()` serves to a health view.
 */
export interface StoreRecoveries {
  list(): readonly StoreRecovery[]
}

/**
 * The host services, as a plugin's scope resolves them (`ctx.services`, and the cradle its service factories
 * receive). Least privilege: a plugin gets `logger` and `pluginId` always, and any other of these only when
 * its definition declares it (`definePlugin({ hostServices: ['clock', 'stores'] })`) and, for the guarded
 * ones, holds the permission `HOST_SERVICE_PERMISSIONS` names (see core/src/plugin/host-services.ts). The
 * router, the container, the event bus, the hooks and the host's own settings are never in a plugin's scope.
 */
export interface HostServices {
  /** The plugin's own logger (bound to its id). Always there. */
  readonly logger: Logger
  /** The plugin's id. Always there. */
  readonly pluginId: string
  readonly clock: Clock
  /**
   * The plugin's OWN persistent stores (memory in unit tests, conf in Node, electron-store in Electron): store
   * names `<plugin id>` and `<plugin id>.<name>` only; an installed package's names are put under its prefix.
   */
  readonly stores: StoreFactory
  /** What the running app is (read-only). */
  readonly runtime: RuntimeInfo
  /** Every store repair of the host (needs `host.storeRecoveries`, held by the storage plugin). */
  readonly storeRecoveries: StoreRecoveries
  /** Plugin management: list, enable, disable any plugin (needs `host.admin`). */
  readonly plugins: PluginManager
  /** Every plugin's settings (needs `host.admin`); a plugin reads its own through `ctx.settings`. */
  readonly pluginSettings: PluginSettingsManager
  /** Installed plugin packages: inspect, install, upgrade, uninstall (needs `host.admin`); UNAVAILABLE on a host without a data folder. */
  readonly packages: PackageService
}

/** What every plugin's scope holds without declaring anything. */
export type UndeclaredServices = Pick<HostServices, 'logger' | 'pluginId'>

/** A host service a plugin may declare in `hostServices`. */
export type HostServiceName = Exclude<keyof HostServices, keyof UndeclaredServices>

/** The host services a plugin declaring `H` sees: exactly those, plus its logger and id. */
export type DeclaredHostServices<H extends readonly HostServiceName[]> = UndeclaredServices & Pick<HostServices, H[number]>

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
