/**
 * The host's side of per-plugin settings: validation against each plugin's schema, persistence (one entry
 * per plugin in the `plugin-settings` store, i.e. a file next to the host's other stores) and change
 * notification (the plugin's own `ctx.settings.onChange` listeners, and the host-wide listeners the
 * system plugin turns into `system.pluginSettingsChanged`).
 *
 * The schema is looked up from the plugin host at each read, and the parsed values are cached per schema
 * object: when a package is upgraded (a new definition with a new schema), its stored values are checked
 * against the new schema on the next read. Values that no longer fit are never a crash: the defaults apply,
 * the stored entry stays on disk untouched until someone saves, and `notice` says so (Settings view).
 */
import { z } from 'zod'
import { RpcError } from '../common/errors'
import type { AnyPluginDefinition } from '../plugin/definition'
import type { PluginSettingsManager, PluginSettingsState, SettingsSchema } from '../plugin/settings'
import { toDisposable, type Disposable } from './disposable'
import { formatPath, invalidParams } from './error-mapping'
import { jsonSchemaOf } from './json-schema'
import type { Logger } from './logger'
import type { KeyValueStore, StoreFactory } from './stores/key-value-store'
import { measureStoredValue } from './stores/value-size'

export const PLUGIN_SETTINGS_STORE = 'plugin-settings'
/** The most one plugin's settings may weigh once stored: settings are preferences, not data. */
export const MAX_SETTINGS_BYTES = 64 * 1024

type Values = Readonly<Record<string, unknown>>

interface Loaded {
  readonly schema: SettingsSchema
  readonly defaults: Values
  values: Values
  notice: string | undefined
}

export interface PluginSettingsDependencies {
  readonly stores: StoreFactory
  readonly logger: Logger
  /** The current definition of a plugin (an upgrade replaces it). */
  readonly pluginHost: { definition(id: string): AnyPluginDefinition | undefined }
}

export class PluginSettingsService implements PluginSettingsManager {
  readonly #deps: PluginSettingsDependencies
  readonly #loaded = new Map<string, Loaded>()
  readonly #pluginListeners = new Map<string, Set<(values: Values) => void>>()
  readonly #listeners = new Set<(id: string) => void>()
  #store: KeyValueStore | undefined

  constructor(deps: PluginSettingsDependencies) {
    this.#deps = deps
  }

  /** The current values of plugin `id` (frozen); `{}` for a plugin without settings. */
  values(id: string): Values {
    return this.#load(id)?.values ?? EMPTY
  }

  describe(id: string): PluginSettingsState {
    const loaded = this.#require(id)
    return {
      id,
      schema: jsonSchemaOf(loaded.schema, 'input') ?? {},
      values: loaded.values,
      defaults: loaded.defaults,
      ...(loaded.notice !== undefined ? { notice: loaded.notice } : {}),
    }
  }

  set(id: string, values: unknown): { readonly id: string; readonly values: Values } {
    const loaded = this.#require(id)
    let snapshot: unknown
    try {
      // One copy first: getters run once, Proxies and functions are refused, and nothing the caller
      // still holds can change the values between validation and storage.
      snapshot = structuredClone(values)
    } catch {
      throw new RpcError('INVALID_PARAMS', `Settings of "${id}" must be plain data`, {
        issues: [{ path: ['values'], message: 'Not plain data (a function, a Proxy or a getter that throws)' }],
      })
    }
    const parsed = z.safeParse(loaded.schema, snapshot)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ ...issue, path: ['values', ...issue.path] }))
      throw invalidParams(issues, `settings of "${id}"`)
    }
    const measure = measureStoredValue(parsed.data)
    if (!measure.ok) throw new RpcError('INVALID_PARAMS', `Settings of "${id}" cannot be stored: ${measure.reason}`, { issues: [] })
    if (measure.bytes > MAX_SETTINGS_BYTES) {
      throw new RpcError('PAYLOAD_TOO_LARGE', `Settings of "${id}" take ${measure.bytes} bytes; at most ${MAX_SETTINGS_BYTES}`, {
        bytes: measure.bytes,
        limit: MAX_SETTINGS_BYTES,
      })
    }
    this.#storeOf().set(id, parsed.data)
    loaded.values = deepFreeze(parsed.data as Record<string, unknown>)
    loaded.notice = undefined
    this.#announce(id, loaded.values)
    return { id, values: loaded.values }
  }

  reset(id: string): boolean {
    const existed = this.#storeOf().delete(id)
    const loaded = this.#loaded.get(id)
    this.#loaded.delete(id)
    if (loaded) {
      const reloaded = this.#load(id)
      if (reloaded) this.#announce(id, reloaded.values)
    } else if (existed) {
      for (const listener of [...this.#listeners]) this.#safely(() => listener(id), id)
    }
    return existed
  }

  onChange(listener: (id: string) => void): Disposable {
    this.#listeners.add(listener)
    return toDisposable(() => {
      this.#listeners.delete(listener)
    })
  }

  /** A plugin's own listener (`ctx.settings.onChange`); its runtime removes it on disable. */
  listen(id: string, listener: (values: Values) => void): Disposable {
    let set = this.#pluginListeners.get(id)
    if (!set) this.#pluginListeners.set(id, (set = new Set()))
    set.add(listener)
    return toDisposable(() => {
      set.delete(listener)
      if (set.size === 0 && this.#pluginListeners.get(id) === set) this.#pluginListeners.delete(id)
    })
  }

  /** How many of a plugin's own listeners are registered (tests: a disabled plugin leaves none). */
  listenerCount(id: string): number {
    return this.#pluginListeners.get(id)?.size ?? 0
  }

  #announce(id: string, values: Values): void {
    for (const listener of [...(this.#pluginListeners.get(id) ?? [])]) this.#safely(() => listener(values), id)
    for (const listener of [...this.#listeners]) this.#safely(() => listener(id), id)
  }

  #safely(fn: () => void, id: string): void {
    try {
      fn()
    } catch (error) {
      this.#deps.logger.error({ err: error, plugin: id }, 'A settings listener failed')
    }
  }

  #require(id: string): Loaded {
    const loaded = typeof id === 'string' ? this.#load(id) : undefined
    if (loaded) return loaded
    const exists = typeof id === 'string' && this.#deps.pluginHost.definition(id) !== undefined
    throw new RpcError('NOT_FOUND', exists ? `Plugin "${id}" has no settings` : `No plugin "${String(id)}"`, { plugin: id })
  }

  #load(id: string): Loaded | undefined {
    const schema = this.#deps.pluginHost.definition(id)?.settings
    if (!schema) return undefined
    const cached = this.#loaded.get(id)
    if (cached?.schema === schema) return cached
    const defaults = deepFreeze(z.parse(schema, {}) as Record<string, unknown>)
    const loaded: Loaded = { schema, defaults, values: defaults, notice: undefined }
    const store = this.#storeOf()
    if (store.has(id)) {
      const parsed = z.safeParse(schema, store.get(id))
      if (parsed.success) {
        loaded.values = deepFreeze(parsed.data as Record<string, unknown>)
      } else {
        const where = parsed.error.issues.map((issue) => `${formatPath(issue.path.map(pathKey)) || '(all)'}: ${issue.message}`)
        loaded.notice = `The saved settings no longer fit this version of "${id}" (${where.join('; ')}). The defaults are in use until you save.`
        this.#deps.logger.warn({ plugin: id, issues: where }, 'Stored plugin settings do not fit the schema; using the defaults')
      }
    }
    this.#loaded.set(id, loaded)
    return loaded
  }

  #storeOf(): KeyValueStore {
    return (this.#store ??= this.#deps.stores.open(PLUGIN_SETTINGS_STORE))
  }
}

const EMPTY: Values = Object.freeze({})

function pathKey(key: PropertyKey): string | number {
  return typeof key === 'number' ? key : String(key)
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
