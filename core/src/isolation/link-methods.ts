/**
 * The link's own methods and events (names start with `$`, which no domain can), and their params: shared
 * by the host side (isolated-plugin.ts) and the plugin's process (plugin-process.ts).
 */
import type { Caller } from '../host/caller'
import type { PackageManifest } from '../packages/manifest'

/** Host -> process: the package to import. */
export interface LoadParams {
  readonly manifest: PackageManifest
  readonly label: string
}

/** Host -> process: what the activation needs. */
export interface ActivateParams {
  readonly settings: Readonly<Record<string, unknown>>
  /** The plugin's own data folder (its stores; the only folder it may write). */
  readonly dataDir: string
  readonly validateOutput: boolean
}

/** Host -> process: one call of `<id>.<name>`, already checked by the host. */
export interface CallParams {
  readonly input: unknown
  readonly caller: Caller
}

export interface PingAnswer {
  readonly rss: number
  readonly heapUsed: number
}

/** Process -> host: one log line. */
export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly bindings: Readonly<Record<string, unknown>>
  readonly obj?: Readonly<Record<string, unknown>>
  readonly msg?: string
}

export const LOG_EVENT = '$log'
/** Host -> process: the plugin's settings changed (payload: the new values). */
export const SETTINGS_EVENT = '$settings'
/** Process -> host: subscribe / unsubscribe to a host event (params `{ event }`). */
export const SUBSCRIBE = '$subscribe'
export const UNSUBSCRIBE = '$unsubscribe'
/** Process -> host: contribute `{ point, value }` (value marshalled, see marshal.ts); answers an id to withdraw with `{ id }`. */
export const CONTRIBUTE = '$contribute'
export const WITHDRAW = '$withdraw'
/** Host -> process: call a contributed function `{ fn, args }`. */
export const INVOKE = '$invoke'
/** Process -> host: a callback passed to a contributed function was called `{ id, args }`. */
export const CALLBACK_EVENT = '$callback'
