/**
 * The host's extension points, as tapable hooks with removable taps (see managed-hook.ts).
 *
 * - `registerDomain` / `unregisterDomain`: how an activated plugin's procedures, schemas, events and
 *   whitelist reach the router and the event bus (both tap them), and how they leave on disable.
 * - `callStart` / `callEnd`: the call pipeline, for cross-cutting concerns: rate limiting, auditing and
 *   call logging tap them. They cost nothing while untapped.
 * - `pluginStateChanged`, `connectionClosed`: lifecycle notifications.
 */
import { SyncBailHook, SyncHook } from 'tapable'
import type { RpcError } from '../common/errors'
import type { ErrorShape } from '../common/errors'
import type { EventMap, ProcedureMap } from '../plugin/definition'
import type { PluginErrorInfo, PluginState } from '../plugin/plugin-info'
import type { Caller } from './caller'
import { ManagedHook } from './managed-hook'
import type { PluginHandle } from './plugin-handle'

/** What the pipeline knows about a call (the handler's context is a superset of it). */
export interface CallInfo {
  readonly caller: Caller
  /** `domain.method` */
  readonly method: string
  /** The plugin that owns the procedure. */
  readonly plugin: string
}

export interface CallOutcome {
  readonly ok: boolean
  readonly error?: ErrorShape
  readonly durationMs: number
}

export type CallStartHandler = (call: CallInfo) => RpcError | undefined
export type CallEndHandler = (call: CallInfo, outcome: CallOutcome) => void

export interface DomainRegistration {
  readonly domain: string
  readonly plugin: PluginHandle
  readonly procedures: ProcedureMap
  readonly events: EventMap
}

export interface PluginStateChange {
  readonly id: string
  readonly from: PluginState
  readonly to: PluginState
  readonly error?: PluginErrorInfo
  /** Set when the change is a package being installed, upgraded or uninstalled. */
  readonly reason?: 'installed' | 'upgraded' | 'uninstalled'
  readonly version?: string
}

export function createHostHooks() {
  return {
    registerDomain: new ManagedHook(() => new SyncHook<[DomainRegistration]>(['registration'])),
    unregisterDomain: new ManagedHook(() => new SyncHook<[string]>(['domain'])),
    callStart: new ManagedHook(() => new SyncBailHook<[CallInfo], RpcError | undefined>(['call'])),
    callEnd: new ManagedHook(() => new SyncHook<[CallInfo, CallOutcome]>(['call', 'outcome'])),
    pluginStateChanged: new ManagedHook(() => new SyncHook<[PluginStateChange]>(['change'])),
    connectionClosed: new ManagedHook(() => new SyncHook<[Caller]>(['caller'])),
  }
}

export type HostHooks = ReturnType<typeof createHostHooks>
