/**
 * One activation of a plugin: its container scope, its disposable store, its context.
 *
 * Activation: a child scope with the plugin's services (built eagerly, so a broken service fails the
 * activation, not the first call) -> `setup(ctx)` -> the domain is registered through the
 * `registerDomain` hook. Everything goes into the store, so deactivation undoes it last in first out:
 * the domain leaves first (no new calls; calls in flight are aborted), then `teardown`, then whatever
 * setup registered (taps, listeners, timers, contributions), then the scope and its services.
 */
import { asFunction, asValue, type AwilixContainer } from 'awilix'
import { describeError } from '../common/describe-error'
import { RpcError } from '../common/errors'
import type { Caller } from '../host/caller'
import { DisposableStore, toDisposable, type DisposeReport, type Disposable } from '../host/disposable'
import type { EventBus } from '../host/event-bus'
import type { ExtensionRegistry } from '../host/extensions'
import type { HostHooks } from '../host/hooks'
import type { Logger } from '../host/logger'
import type { ManagedHook } from '../host/managed-hook'
import type { PluginHandle } from '../host/plugin-handle'
import type { PluginSettingsService } from '../host/plugin-settings'
import type { Router } from '../host/router'
import type { PluginHook, PluginHooks } from './context-types'
import type { AnyPluginDefinition, CallOptions, PluginContext } from './definition'
import type { ApiDescription } from './contract'
import { contractClient, methodOf } from './contract-client'
import type { PluginSettings } from './settings'

export interface RuntimeDependencies {
  readonly container: AwilixContainer
  readonly hooks: HostHooks
  readonly router: Router
  readonly eventBus: EventBus
  readonly extensions: ExtensionRegistry
  readonly logger: Logger
  readonly pluginSettings: PluginSettingsService
}

export class PluginRuntime implements PluginHandle {
  readonly id: string
  readonly caller: Caller
  readonly logger: Logger
  readonly store = new DisposableStore()
  readonly #definition: AnyPluginDefinition
  readonly #deps: RuntimeDependencies
  readonly #controller = new AbortController()
  readonly #scope: AwilixContainer
  /** Read at each `get()`: a save is seen by the next call; listeners go into the store (removed on disable). */
  readonly settings: PluginSettings<Readonly<Record<string, unknown>>>
  readonly #overrides: Readonly<Record<string, unknown>>

  /** `overrides`: host services replaced in this plugin's scope (an installed package's own `stores`). */
  constructor(definition: AnyPluginDefinition, deps: RuntimeDependencies, overrides: Readonly<Record<string, unknown>> = {}) {
    this.#definition = definition
    this.#deps = deps
    this.#overrides = overrides
    this.id = definition.id
    this.caller = Object.freeze({ id: `plugin:${definition.id}`, kind: 'plugin', grants: definition.permissions })
    this.logger = deps.logger.child({ plugin: definition.id })
    this.#scope = deps.container.createScope()
    this.settings = Object.freeze({
      get: () => deps.pluginSettings.values(this.id),
      onChange: (listener: (values: Readonly<Record<string, unknown>>) => void) =>
        this.store.add(deps.pluginSettings.listen(this.id, listener), 'settings listener'),
    })
  }

  get services(): unknown {
    return this.#scope.cradle
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  emit(event: string, payload: unknown): void {
    this.#deps.eventBus.emit(`${this.id}.${event}`, payload)
  }

  call(target: unknown, params?: unknown, options?: CallOptions): Promise<unknown> {
    let method: string
    try {
      method = methodOf(target)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#deps.router.call(this.caller, method, params, options)
  }

  /**
   * Activates the plugin; on failure everything done so far is undone and the error rethrown. A `setup`
   * still pending after `timeoutMs` fails with TIMEOUT: its signal aborts, and what it registers later
   * is disposed as it arrives (the store is disposed by then).
   */
  async activate(timeoutMs = Infinity): Promise<void> {
    const definition = this.#definition
    this.store.add(() => this.#scope.dispose(), 'container scope')
    try {
      const registrations: Record<string, ReturnType<typeof asValue>> = {
        ...Object.fromEntries(Object.entries(this.#overrides).map(([name, value]) => [name, asValue(value)])),
        logger: asValue(this.logger),
        pluginId: asValue(this.id),
      }
      for (const [name, factory] of Object.entries(definition.services as Record<string, (c: unknown) => unknown>)) {
        registrations[name] = asFunction(factory)
          .scoped()
          .disposer(async (instance: unknown) => {
            const dispose = (instance as { dispose?: () => unknown } | null)?.dispose
            if (typeof dispose === 'function') await dispose.call(instance)
          }) as unknown as ReturnType<typeof asValue>
      }
      this.#scope.register(registrations)
      for (const name of Object.keys(definition.services)) this.#scope.resolve(name)

      const context = this.context()
      await withinTimeBox(definition.setup?.(context), timeoutMs, () => new RpcError('TIMEOUT', `Plugin "${this.id}" did not finish setup within ${timeoutMs} ms`))
      if (definition.teardown) {
        const teardown = definition.teardown
        this.store.add(() => teardown(context), 'teardown')
      }
      this.#deps.hooks.registerDomain.hook.call({
        domain: this.id,
        plugin: this,
        procedures: definition.procedures,
        events: definition.events,
      })
      this.store.add(() => this.#deps.hooks.unregisterDomain.hook.call(this.id), 'domain')
    } catch (error) {
      this.#controller.abort(error)
      await this.store.dispose()
      throw error
    }
  }

  /** Undoes the activation within `timeoutMs`; every failure is caught and reported. */
  async deactivate(timeoutMs: number): Promise<DisposeReport> {
    this.#controller.abort(new Error(`Plugin "${this.id}" is being disabled`))
    const report = await this.store.dispose(timeoutMs)
    for (const failure of report.failures) {
      this.logger.error({ err: describeError(failure.error), disposable: failure.label }, 'Disposal failed')
    }
    if (report.timedOut.length > 0) this.logger.warn({ pending: report.timedOut }, 'Disposal timed out')
    return report
  }

  context(): PluginContext<any, any> {
    const { eventBus, extensions, hooks } = this.#deps
    const store = this.store
    const owner = this.id
    const hookView = <Fn>(managed: ManagedHook<any>): PluginHook<Fn> => ({
      tap: (name, fn, options) =>
        store.add(managed.tap({ name, owner, ...(options?.stage !== undefined ? { stage: options.stage } : {}) }, fn as never), `tap ${name}`),
    })
    const pluginHooks: PluginHooks = {
      callStart: hookView(hooks.callStart),
      callEnd: hookView(hooks.callEnd),
      pluginStateChanged: hookView(hooks.pluginStateChanged),
    }
    return {
      id: this.id,
      logger: this.logger,
      services: this.services,
      signal: this.signal,
      hooks: pluginHooks,
      settings: this.settings,
      emit: (event: string, payload: unknown) => this.emit(event, payload),
      call: (target: unknown, params?: unknown, options?: CallOptions) => this.call(target, params, options),
      client: (contract: ApiDescription) => contractClient(contract, (method, params, options) => this.call(method, params, options)),
      on: (event: string, listener: (payload: unknown) => void) =>
        store.add(eventBus.listen(this.caller, event, listener), `listener ${event}`),
      onDispose: (dispose: () => void | Promise<void>) => store.add(dispose, 'onDispose'),
      setTimeout: (fn: () => void, ms: number) => {
        const timer = setTimeout(() => {
          store.delete(disposable)
          fn()
        }, ms)
        const disposable: Disposable = store.add(toDisposable(() => clearTimeout(timer)), 'timeout')
        return disposable
      },
      setInterval: (fn: () => void, ms: number) => {
        const timer = setInterval(fn, ms)
        return store.add(toDisposable(() => clearInterval(timer)), 'interval')
      },
      contribute: (target: unknown, value: unknown) => {
        const point = extensionPointId(target)
        return store.add(extensions.contribute(point, owner, value), `contribution ${point}`)
      },
      extensions: (target: unknown) => {
        const point = extensionPointId(target)
        return {
          values: () => extensions.values(point),
          onChange: (listener: () => void) => store.add(extensions.onChange(point, listener), `extension listener ${point}`),
        }
      },
    } as PluginContext<any, any>
  }
}

/** The id of an extension point: a typed `ExtensionPoint<T>` (`contract.extensionPoints.x`) or, deprecated, its string. */
function extensionPointId(target: unknown): string {
  if (typeof target === 'string' && target !== '') return target
  if (typeof target === 'object' && target !== null && (target as { kind?: unknown }).kind === 'extension-point') {
    const id = (target as { id?: unknown }).id
    if (typeof id === 'string' && id !== '') return id
  }
  throw new TypeError('An extension point is a contract\'s ExtensionPoint (contract.extensionPoints.name) or its "domain.name" id')
}

/** `result` awaited (a promise or any thenable), for at most `ms`. */
async function withinTimeBox(result: unknown, ms: number, timedOut: () => Error): Promise<void> {
  if (!Number.isFinite(ms)) {
    await result
    return
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([
      result,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(timedOut()), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
