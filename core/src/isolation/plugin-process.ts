/**
 * The plugin's side of an isolated plugin: what runs in its own process. The entry file (built with the
 * SDK and zod bundled in, see plugin-sdk/src/isolation/) calls `runPluginProcess(hostModules)`; from then
 * on the host drives it over the link (link.ts):
 *
 *   $load      imports the package (with the SDK and zod lent through the same shims as in process) and
 *              answers its description (description.ts): the host never runs the package's code itself.
 *   $activate  builds the plugin's services and runs `setup(ctx)`; the ctx has the SDK's API: call/client
 *              (through the host, as this plugin, with its grants), emit, on, settings, logger, stores (files
 *              in its own data folder), signal, timers, onDispose.
 *   <id>.<name> runs a procedure (input checked again with its real zod schema: see description.ts).
 *   $deactivate runs teardown and undoes what setup registered; the host then ends the process.
 *   $ping       the heartbeat: answers the memory in use (an event loop stuck in a handler cannot answer).
 *
 *   $invoke     calls a function of one of its contributions (a node type's `execute`: see marshal.ts).
 *
 * What is not available isolated (a call-pipeline tap, reading an extension point) throws a clear error,
 * documented in plugin-sdk/PACKAGE-FORMAT.md.
 */
import { z } from 'zod'
import { describeError } from '../common/describe-error'
import { RpcError, type ErrorShape } from '../common/errors'
import { DisposableStore, type Disposable } from '../host/disposable'
import { invalidParams } from '../host/error-mapping'
import type { Logger } from '../host/logger'
import { createConfStoreFactory } from '../host/stores/conf-store'
import type { HostModules } from '../packages/host-modules'
import { loadPackageEntry } from '../packages/load-entry'
import type { PackageManifest } from '../packages/manifest'
import type { ApiDescription } from '../plugin/contract'
import { contractClient, methodOf } from '../plugin/contract-client'
import type { AnyPluginDefinition, CallOptions, PluginContext, Procedure } from '../plugin/definition'
import { describeDefinition } from './description'
import { Link, type LinkPort } from './link'
import { decodeArguments, encodeContribution } from './marshal'
import { CALLBACK_EVENT, CONTRIBUTE, INVOKE, LOG_EVENT, SETTINGS_EVENT, WITHDRAW, type ActivateParams, type CallParams, type LoadParams, type LogRecord, type PingAnswer } from './link-methods'
import { storeTimers } from '../plugin/store-timers'

type Values = Readonly<Record<string, unknown>>
type Level = LogRecord['level']

/** A logger whose lines go to the host's logger (bindings and all), as plain data. */
function linkLogger(link: Link, bindings: Record<string, unknown>): Logger {
  const at = (level: Level) => (first: unknown, msg?: string): void => {
    const record: LogRecord =
      typeof first === 'string'
        ? { level, bindings, msg: first }
        : { level, bindings, obj: plainLogObject(first), ...(msg !== undefined ? { msg: String(msg) } : {}) }
    link.notify(LOG_EVENT, record)
  }
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => linkLogger(link, { ...bindings, ...more }),
    isLevelEnabled: () => true,
  } as Logger
}

/** What crosses the link from a log call: errors described, anything else structured-cloned or dropped. */
function plainLogObject(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (typeof value !== 'object' || value === null) return out
  for (const key of Object.keys(value)) {
    try {
      const field = (value as Record<string, unknown>)[key]
      out[key] = field instanceof Error || key === 'err' ? describeError(field) : structuredClone(field)
    } catch {
      out[key] = '[unreadable]'
    }
  }
  return out
}

/** The `process` of a forked child as a link port. */
export function processPort(): LinkPort {
  return {
    send: (message) => {
      if (!process.send) throw new Error('This process was not started with an IPC channel')
      process.send(message)
    },
    onMessage: (listener) => {
      process.on('message', listener)
      return () => process.off('message', listener)
    },
  }
}

class PluginProcess {
  readonly #link: Link
  #definition: AnyPluginDefinition | undefined
  #active: Activation | undefined

  constructor(port: LinkPort) {
    this.#link = new Link(port, {
      request: (method, params, signal) => this.#request(method, params, signal),
      event: (event, payload) => this.#active?.deliver(event, payload),
      internalError: (error, method) => {
        const requestId = crypto.randomUUID()
        this.#logger().error({ err: describeError(error), method, requestId }, 'Handler failed')
        return { code: 'INTERNAL', message: 'Internal error', data: { requestId } } satisfies ErrorShape
      },
    })
  }

  #logger(): Logger {
    return linkLogger(this.#link, this.#definition ? { plugin: this.#definition.id } : {})
  }

  async #request(method: string, params: unknown, signal: AbortSignal): Promise<unknown> {
    switch (method) {
      case '$ping': {
        const { rss, heapUsed } = process.memoryUsage()
        return { rss, heapUsed } satisfies PingAnswer
      }
      case '$load': {
        const { manifest, label } = params as LoadParams
        this.#definition = (await loadPackageEntry(manifest as PackageManifest, label)).definition
        return describeDefinition(this.#definition)
      }
      case '$activate': {
        if (!this.#definition) throw new RpcError('BAD_REQUEST', 'Nothing is loaded')
        if (this.#active) throw new RpcError('CONFLICT', 'Already active')
        const activation = new Activation(this.#definition, this.#link, params as ActivateParams)
        this.#active = activation
        await activation.activate()
        return null
      }
      case INVOKE: {
        if (!this.#active) throw new RpcError('UNAVAILABLE', 'The plugin is not active')
        return this.#active.invoke(params as { fn?: unknown; args?: unknown }, signal)
      }
      case '$deactivate': {
        const activation = this.#active
        this.#active = undefined
        await activation?.deactivate()
        return null
      }
      default: {
        if (!this.#active) throw new RpcError('UNAVAILABLE', 'The plugin is not active')
        return this.#active.run(method, params as CallParams, signal)
      }
    }
  }
}

/** One activation: its services, its disposables, its setup context. */
class Activation {
  readonly #definition: AnyPluginDefinition
  readonly #link: Link
  readonly #store = new DisposableStore()
  readonly #controller = new AbortController()
  readonly #listeners = new Map<string, Set<(payload: unknown) => void>>()
  readonly #settingsListeners = new Set<(values: Values) => void>()
  readonly #logger: Logger
  readonly #services: Record<string, unknown>
  readonly #validateOutput: boolean
  /** Functions held by its contributions, called by the host through `$invoke`. */
  readonly #functions = new Map<number, (...args: unknown[]) => unknown>()
  #nextFunction = 0
  #settings: Values

  constructor(definition: AnyPluginDefinition, link: Link, params: ActivateParams) {
    this.#definition = definition
    this.#link = link
    this.#settings = Object.freeze({ ...params.settings })
    this.#validateOutput = params.validateOutput
    this.#logger = linkLogger(link, { plugin: definition.id })
    const stores = createConfStoreFactory({ directory: params.dataDir })
    // Its own process holds nothing of the host's: its stores are files in its data folder, and the repairs
    // it may read (`storeRecoveries`, when it declares it) are those of its own stores.
    const declared: readonly string[] = definition.hostServices ?? []
    this.#services = {
      logger: this.#logger,
      pluginId: definition.id,
      clock: { now: () => Date.now() },
      stores,
      ...(declared.includes('storeRecoveries') ? { storeRecoveries: { list: () => stores.recoveries } } : {}),
    }
  }

  async activate(): Promise<void> {
    const definition = this.#definition
    const built: { name: string; instance: unknown }[] = []
    // Services in their own scope, as awilix builds them in process: each factory gets the cradle (the
    // host-lent services and the plugin's own), eagerly, so a broken service fails the activation.
    const cradle = new Proxy(this.#services, {
      get: (target, name) => {
        if (typeof name !== 'string') return undefined
        if (!(name in target) && Object.hasOwn(definition.services, name)) {
          target[name] = (definition.services as Record<string, (c: unknown) => unknown>)[name]!(cradle)
          built.push({ name, instance: target[name] })
        }
        return target[name]
      },
    })
    for (const name of Object.keys(definition.services)) void (cradle as Record<string, unknown>)[name]
    this.#store.add(async () => {
      for (const { instance } of built.reverse()) {
        const dispose = (instance as { dispose?: () => unknown } | null)?.dispose
        if (typeof dispose === 'function') await dispose.call(instance)
      }
    }, 'services')
    const context = this.#context(cradle)
    await definition.setup?.(context)
    if (definition.teardown) {
      const teardown = definition.teardown
      this.#store.add(() => teardown(context), 'teardown')
    }
  }

  async deactivate(): Promise<void> {
    this.#controller.abort(new Error(`Plugin "${this.#definition.id}" is being disabled`))
    const report = await this.#store.dispose()
    for (const failed of report.failures) this.#logger.error({ err: describeError(failed.error), disposable: failed.label }, 'Disposal failed')
  }

  deliver(event: string, payload: unknown): void {
    if (event === SETTINGS_EVENT) {
      this.#settings = Object.freeze({ ...(payload as Values) })
      for (const listener of [...this.#settingsListeners]) this.#safely(() => listener(this.#settings))
      return
    }
    for (const listener of [...(this.#listeners.get(event) ?? [])]) this.#safely(() => listener(payload))
  }

  #safely(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'A listener failed')
    }
  }

  /** Runs `<id>.<name>`: the host checked the input against its JSON Schema; the real schema runs here. */
  async run(method: string, params: CallParams, signal: AbortSignal): Promise<unknown> {
    const name = method.startsWith(`${this.#definition.id}.`) ? method.slice(this.#definition.id.length + 1) : ''
    const procedure = Object.hasOwn(this.#definition.procedures, name) ? (this.#definition.procedures as Record<string, Procedure>)[name] : undefined
    if (!procedure) throw new RpcError('METHOD_NOT_FOUND', `Method not found: ${method}`)
    let input = params.input
    if (procedure.input) {
      const parsed = z.safeParse(procedure.input, input)
      if (!parsed.success) throw invalidParams(parsed.error.issues)
      input = parsed.data
    }
    const callLogger = this.#logger.child({ method, caller: params.caller.id })
    const call = (target: unknown, callParams?: unknown, options?: CallOptions) => this.#call(target, callParams, { signal, ...options })
    const result = await procedure.handler(input, {
      caller: params.caller,
      method,
      signal,
      logger: callLogger,
      services: this.#services,
      settings: this.#settingsView(),
      emit: (event: string, payload: unknown) => this.#emit(event, payload),
      call,
      client: (contract: ApiDescription) => contractClient(contract, (m, p, o) => call(m, p, o)),
    } as never)
    if (procedure.output && this.#validateOutput) {
      const parsed = z.safeParse(procedure.output, result)
      if (!parsed.success) {
        this.#logger.error({ method, issues: invalidParams(parsed.error.issues, 'output').data?.issues }, 'Handler returned invalid output')
        throw new RpcError('INTERNAL', 'Internal error')
      }
      return parsed.data
    }
    return result
  }

  /** Calls a function this plugin contributed (the host's stub forwarded the call). */
  async invoke(params: { fn?: unknown; args?: unknown }, signal: AbortSignal): Promise<unknown> {
    const fn = typeof params.fn === 'number' ? this.#functions.get(params.fn) : undefined
    if (!fn) throw new RpcError('NOT_FOUND', 'No such contributed function')
    const args = decodeArguments(params.args, signal, (id, callArgs) => this.#link.notify(CALLBACK_EVENT, { id, args: callArgs }))
    return await fn(...args)
  }

  #emit(event: string, payload: unknown): void {
    if (!Object.hasOwn(this.#definition.events, event)) throw new RpcError('METHOD_NOT_FOUND', `Unknown event: ${this.#definition.id}.${event}`)
    this.#link.notify(event, payload)
  }

  #call(target: unknown, params: unknown, options: CallOptions): Promise<unknown> {
    let method: string
    try {
      method = methodOf(target)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#link.request(method, params, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    })
  }

  #settingsView() {
    return Object.freeze({
      get: () => this.#settings,
      onChange: (listener: (values: Values) => void): Disposable => {
        this.#settingsListeners.add(listener)
        return this.#store.add(() => void this.#settingsListeners.delete(listener), 'settings listener')
      },
    })
  }

  #context(services: unknown): PluginContext<any, any> {
    const store = this.#store
    const unavailable = (what: string) => () => {
      throw new RpcError('UNAVAILABLE', `${what} is not available to a plugin running in its own process`)
    }
    const hook = { tap: unavailable('A host hook (ctx.hooks)') }
    return {
      id: this.#definition.id,
      logger: this.#logger,
      services,
      signal: this.#controller.signal,
      hooks: { callStart: hook, callEnd: hook, pluginStateChanged: hook },
      settings: this.#settingsView(),
      emit: (event: string, payload: unknown) => this.#emit(event, payload),
      call: (target: unknown, params?: unknown, options?: CallOptions) => this.#call(target, params, options ?? {}),
      client: (contract: ApiDescription) => contractClient(contract, (method, params, options) => this.#call(method, params, options ?? {})),
      on: (event: string, listener: (payload: unknown) => void): Disposable => {
        const listeners = this.#listeners.get(event) ?? new Set()
        this.#listeners.set(event, listeners)
        listeners.add(listener)
        if (listeners.size === 1) {
          this.#link.request('$subscribe', { event }).catch((error: unknown) =>
            this.#logger.error({ err: describeError(error), event }, 'Could not listen to the event'),
          )
        }
        return store.add(() => {
          listeners.delete(listener)
          if (listeners.size === 0) {
            this.#listeners.delete(event)
            this.#link.request('$unsubscribe', { event }).catch(() => undefined)
          }
        }, `listener ${event}`)
      },
      onDispose: (dispose: () => void | Promise<void>) => store.add(dispose, 'onDispose'),
      ...storeTimers(store),
      contribute: (target: unknown, value: unknown): Disposable => {
        const point = extensionPointId(target)
        const encoded = encodeContribution(value, this.#functions, () => ++this.#nextFunction)
        const contributed = this.#link.request(CONTRIBUTE, { point, value: encoded })
        contributed.catch((error: unknown) => this.#logger.error({ err: describeError(error), point }, 'The contribution was refused'))
        return store.add(() => {
          contributed.then((id) => this.#link.request(WITHDRAW, { id })).catch(() => undefined)
        }, `contribution ${point}`)
      },
      extensions: unavailable('Reading an extension point'),
    } as PluginContext<any, any>
  }
}

/**
 * Runs this process as an isolated plugin: registers the lent modules (the SDK and zod bundled with the
 * entry) for the package's shims, and serves the host over the IPC channel. The process ends when the
 * host goes away.
 */
export function runPluginProcess(hostModules: HostModules, port: LinkPort = processPort()): void {
  const registry = ((globalThis as Record<symbol, unknown>)[Symbol.for('atomiton.hostModules')] ??= {}) as Record<string, unknown>
  Object.assign(registry, hostModules)
  new PluginProcess(port)
  process.on('disconnect', () => process.exit(0))
}

/** The id of an extension point: a contract's `ExtensionPoint` or its `domain.name` string. */
function extensionPointId(target: unknown): string {
  if (typeof target === 'string' && target !== '') return target
  const id = (target as { kind?: unknown; id?: unknown } | null)?.kind === 'extension-point' ? (target as { id?: unknown }).id : undefined
  if (typeof id === 'string' && id !== '') return id
  throw new TypeError('An extension point is a contract\'s ExtensionPoint (contract.extensionPoints.name) or its "domain.name" id')
}
