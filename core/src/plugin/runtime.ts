/**
 * One activation of a plugin: its container scope, its disposable store, its context.
 *
 * Least privilege (core/src/plugin/host-services.ts): the scope is a container of its own, not a child of the
 * host's, holding the plugin's logger and id, the host services it declared and is granted (its `stores`
 * confined to its own namespace), and its own services. Every other name the host's container holds is
 * registered as a refusal, so `ctx.services.router`, or a service factory destructuring `{ router }`, throws
 * FORBIDDEN naming the plugin and the service. Its `callStart` / `callEnd` taps see only calls to its own
 * domain (all calls with `host.admin`), as a frozen record that cannot call anything.
 *
 * Activation: a child scope with the plugin's services (built eagerly, so a broken service fails the
 * activation, not the first call) -> `setup(ctx)` -> the domain is registered through the
 * `registerDomain` hook. Everything goes into the store, so deactivation undoes it last in first out:
 * the domain leaves first (no new calls; calls in flight are aborted), then `teardown`, then whatever
 * setup registered (taps, listeners, timers, contributions), then the scope and its services.
 */
import { asFunction, asValue, createContainer, InjectionMode, type AwilixContainer, type Resolver } from 'awilix'
import { describeError } from '../common/describe-error'
import { RpcError } from '../common/errors'
import type { Caller } from '../host/caller'
import { DisposableStore, type DisposeReport } from '../host/disposable'
import type { EventBus } from '../host/event-bus'
import type { ExtensionRegistry } from '../host/extensions'
import type { HostHooks } from '../host/hooks'
import type { Logger } from '../host/logger'
import type { ManagedHook } from '../host/managed-hook'
import type { PluginHandle } from '../host/plugin-handle'
import type { CallEndHandler, CallInfo, CallStartHandler, PluginStateChange } from '../host/hooks'
import { pluginStores } from '../host/stores/plugin-stores'
import type { StoreFactory } from '../host/stores/key-value-store'
import { facadeOf, holdsHostAdmin, HOST_SERVICE_NAMES, serviceRefusal, type ServiceHolder } from './host-services'
import type { Clock, RuntimeInfo } from './context-types'
import type { PluginSettingsService } from '../host/plugin-settings'
import type { Router } from '../host/router'
import type { PluginHook, PluginHooks } from './context-types'
import type { AnyPluginDefinition, CallOptions, PluginContext } from './definition'
import type { ApiDescription } from './contract'
import { contractClient, methodOf } from './contract-client'
import type { PluginSettings } from './settings'
import { storeTimers } from './store-timers'

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
  readonly #holder: ServiceHolder

  /**
   * `source.services`: host services replaced in this plugin's scope (an installed package's own `stores`);
   * `source.origin` 'installed': a package, which never gets a guarded host service.
   */
  constructor(definition: AnyPluginDefinition, deps: RuntimeDependencies, source: RuntimeSource = {}) {
    this.#definition = definition
    this.#deps = deps
    this.#overrides = source.services ?? {}
    this.id = definition.id
    this.caller = Object.freeze({ id: `plugin:${definition.id}`, kind: 'plugin', grants: definition.permissions })
    this.#holder = Object.freeze({ id: definition.id, permissions: definition.permissions, installed: source.origin === 'installed' })
    this.logger = deps.logger.child({ plugin: definition.id })
    this.#scope = createContainer({ injectionMode: InjectionMode.PROXY, strict: true })
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
      const registrations: Record<string, Resolver<unknown>> = {
        ...this.#hostServiceRegistrations(),
        logger: asValue(this.logger),
        pluginId: asValue(this.id),
      }
      for (const [name, factory] of Object.entries(definition.services as Record<string, (c: unknown) => unknown>)) {
        registrations[name] = asFunction(factory)
          .scoped()
          .disposer(async (instance: unknown) => {
            const dispose = (instance as { dispose?: () => unknown } | null)?.dispose
            if (typeof dispose === 'function') await dispose.call(instance)
          }) as Resolver<unknown>
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

  /**
   * For every host service and every name the host's container holds: the declared and granted ones resolve
   * (from the host's container, the first time they are used), every other one throws its refusal.
   */
  #hostServiceRegistrations(): Record<string, Resolver<unknown>> {
    const root = this.#deps.container
    // A definition built by hand (not through definePlugin) may lack the list: it then declared nothing.
    const declared: readonly string[] = Array.isArray(this.#definition.hostServices) ? this.#definition.hostServices : []
    const registrations: Record<string, Resolver<unknown>> = {}
    for (const name of new Set([...Object.keys(root.registrations), ...HOST_SERVICE_NAMES])) {
      const refusal = serviceRefusal(this.#holder, declared, name)
      registrations[name] = refusal
        ? asFunction(() => {
            throw refusal
          }).singleton()
        : asFunction(() => this.#hostService(name)).singleton()
    }
    return registrations
  }

  /** A granted host service as this plugin gets it: its own stores, and read-only views of shared objects. */
  #hostService(name: string): unknown {
    if (Object.hasOwn(this.#overrides, name)) return this.#overrides[name]
    const root = this.#deps.container
    switch (name) {
      case 'stores':
        return pluginStores(this.id, root.resolve<StoreFactory>('stores'))
      case 'clock': {
        // A view: the host's clock object is shared (rate limits read it), a plugin must not replace `now`.
        const clock = root.resolve<Clock>('clock')
        return Object.freeze({ now: () => clock.now() })
      }
      case 'runtime':
        return readOnlyRuntime(root.resolve<RuntimeInfo>('runtime'))
      default:
        return facadeOf(name, root.resolve(name))
    }
  }

  context(): PluginContext<any, any> {
    const { eventBus, extensions, hooks } = this.#deps
    const store = this.store
    const owner = this.id
    const tap = <Fn>(managed: ManagedHook<any>, wrap: (fn: Fn) => Fn): PluginHook<Fn> => ({
      tap: (name, fn, options) =>
        store.add(managed.tap({ name, owner, ...(options?.stage !== undefined ? { stage: options.stage } : {}) }, wrap(fn) as never), `tap ${name}`),
    })
    // Calls to its own domain only, unless it administers the host; never the live call (it can call as its plugin).
    const seesAll = holdsHostAdmin(this.#holder)
    const sees = (call: CallInfo) => seesAll || call.plugin === owner
    const pluginHooks: PluginHooks = {
      callStart: tap<CallStartHandler>(hooks.callStart, (fn) => (call) => (sees(call) ? fn(callRecord(call)) : undefined)),
      callEnd: tap<CallEndHandler>(hooks.callEnd, (fn) => (call, outcome) => {
        if (sees(call)) fn(callRecord(call), Object.freeze({ ...outcome }))
      }),
      pluginStateChanged: tap<(change: PluginStateChange) => void>(hooks.pluginStateChanged, (fn) => (change) => fn(Object.freeze({ ...change }))),
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
      ...storeTimers(store),
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

/** Where a runtime's plugin comes from (a `PluginSource` of the plugin host). */
export interface RuntimeSource {
  readonly origin?: string
  readonly services?: Readonly<Record<string, unknown>>
}

/** What a tap learns of a call: who, what, whose; frozen copies, with nothing that can make a call. */
function callRecord(call: CallInfo): CallInfo {
  const { caller } = call
  return Object.freeze({
    caller: Object.freeze({ ...caller, grants: Object.freeze([...caller.grants]) }),
    method: call.method,
    plugin: call.plugin,
  })
}

/** The host's runtime info, frozen: shared by every plugin, so none may change what the others read. */
function readOnlyRuntime(runtime: RuntimeInfo): RuntimeInfo {
  return Object.freeze({
    ...runtime,
    versions: Object.freeze({ ...runtime.versions }),
    memory: () => runtime.memory(),
  })
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
