/**
 * What the router and the event bus need from an active plugin (implemented by the plugin runtime, and by
 * the host itself for the reserved `rpc` domain).
 */
import type { CallOptions } from '../plugin/definition'
import type { PluginSettings } from '../plugin/settings'
import type { Caller } from './caller'
import type { Logger } from './logger'

export interface PluginHandle {
  readonly id: string
  /** The plugin's own identity for in-process calls (`plugin:<id>`, with its declared permissions). */
  readonly caller: Caller
  readonly logger: Logger
  /** The plugin scope's cradle. */
  readonly services: unknown
  /** The plugin's settings, as its handlers read them (`ctx.settings`). */
  readonly settings: PluginSettings<unknown>
  emit(event: string, payload: unknown): void
  /** `target`: a `domain.method` string or a procedure ref of a contract (anything else rejects with BAD_REQUEST). */
  call(target: unknown, params?: unknown, options?: CallOptions): Promise<unknown>
}
