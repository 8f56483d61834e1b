/**
 * The plugin host: loads definitions, orders them by dependency, activates them, and enables or disables
 * any of them at runtime. Toggles run one at a time (a queue), so concurrent clicks cannot interleave.
 *
 * Policy (documented in plugin-sdk/README.md):
 * - A plugin that throws while activating is `failed` with its error; the others keep serving. Plugins
 *   that depend on a failed or disabled plugin are `blocked` and activate by themselves once it is back.
 * - Disabling a plugin that active plugins depend on is refused with CONFLICT and the list of dependents,
 *   unless `{ cascade: true }`: then the dependents are disabled first (last first) and reported.
 * - Enabling a plugin whose dependencies are not active is refused with CONFLICT naming them, unless
 *   `{ cascade: true }`: then they are enabled first.
 * - A `required` plugin cannot be disabled (CONFLICT).
 * - Every explicit choice is persisted in the settings store, so a restart restores the enabled set.
 * - At run time (installed packages, see core/src/packages/): `add` loads and activates one more plugin,
 *   `replace` swaps a loaded one for a new definition (deactivate old, activate new, and when the new one
 *   fails, re-activate the old one and refuse), `remove` deactivates one and forgets it. Built-ins are
 *   loaded once by `load` and can be neither replaced nor removed.
 */
import type { AwilixContainer } from 'awilix'
import { describeError } from '../common/describe-error'
import { RpcError } from '../common/errors'
import type { Caller } from '../host/caller'
import type { EventBus } from '../host/event-bus'
import type { ExtensionRegistry } from '../host/extensions'
import type { HostHooks } from '../host/hooks'
import type { Logger } from '../host/logger'
import type { PluginSettingsService } from '../host/plugin-settings'
import type { Router } from '../host/router'
import type { KeyValueStore } from '../host/stores/key-value-store'
import type { PluginManager } from './context-types'
import type { AnyPluginDefinition } from './definition'
import { orderByDependencies, PluginGraphError, transitiveDependencies, transitiveDependents } from './order'
import type { PluginErrorInfo, PluginInfo, PluginOrigin, PluginState, StateChangeRecord, ToggleOptions, ToggleResult } from './plugin-info'
import { PluginRuntime } from './runtime'
import type { IsolatedRuntime, PluginActivation, ProcessFaults } from './activation'

export const CATALOG_CHANGED_EVENT = 'rpc.catalogChanged'
const ENABLED_KEY = 'plugins.enabled'

export interface PluginHostConfig {
  /** Time box for disposing one plugin. */
  readonly disposeTimeoutMs: number
  /** Time box for activating one plugin (its services and `setup`); past it the plugin is `failed`. */
  readonly activationTimeoutMs: number
}

export interface PluginHostDependencies {
  readonly container: AwilixContainer
  readonly hooks: HostHooks
  readonly router: Router
  readonly eventBus: EventBus
  readonly extensions: ExtensionRegistry
  readonly logger: Logger
  /** Where the enabled set is persisted. */
  readonly settings: KeyValueStore
  readonly pluginHostConfig: PluginHostConfig
  readonly pluginSettings: PluginSettingsService
}

/** Where a loaded definition comes from. */
export interface PluginSource {
  readonly origin: PluginOrigin
  /** An installed package's folder. */
  readonly folder?: string
  /** Host services replaced in this plugin's container scope (an installed package's own `stores`). */
  readonly services?: Readonly<Record<string, unknown>>
  /** Set when the plugin runs in its own process (core/src/isolation/): it is activated through it. */
  readonly isolated?: IsolatedRuntime
}

const BUILTIN: PluginSource = Object.freeze({ origin: 'builtin' })

type ChangeReason = Pick<StateChangeRecord, 'reason' | 'version'>

interface Slot {
  definition: AnyPluginDefinition
  source: PluginSource
  procedureNames: ReadonlySet<string>
  state: PluginState
  error: PluginErrorInfo | undefined
  runtime: PluginRuntime | PluginActivation | undefined
}

export class PluginHost implements PluginManager {
  readonly #deps: PluginHostDependencies
  readonly #slots = new Map<string, Slot>()
  #order: AnyPluginDefinition[] = []
  #queue: Promise<unknown> = Promise.resolve()
  #stopped = false
  /** What the runtime change being made is (installed, upgraded, uninstalled), told with each transition. */
  #reason: ChangeReason | undefined

  constructor(deps: PluginHostDependencies) {
    this.#deps = deps
    deps.router.explainMissing = (domain, name, caller) => this.#explainMissing(domain, name, caller)
  }

  /** Registers definitions (in any order). Throws a PluginGraphError for duplicates, missing deps, cycles. */
  load(definitions: readonly AnyPluginDefinition[], source: PluginSource = BUILTIN): void {
    const order = orderByDependencies([...this.#order, ...definitions])
    for (const definition of definitions) this.#slots.set(definition.id, newSlot(definition, source))
    this.#order = order
  }

  /**
   * Activates every plugin in dependency order, honouring the persisted enabled set. `requiredOnly` (safe
   * mode) activates the required plugins alone and leaves the others disabled for this run (not persisted).
   */
  start(options: { readonly requiredOnly?: boolean } = {}): Promise<ToggleResult> {
    return this.#serial(async () => {
      const persisted = this.#persisted()
      const changes: StateChangeRecord[] = []
      for (const definition of this.#order) {
        const slot = this.#slots.get(definition.id)!
        if (slot.state !== 'inactive') continue
        if ((persisted[definition.id] === false || options.requiredOnly === true) && !definition.required) {
          changes.push(this.#transition(slot, 'disabled'))
          continue
        }
        const waiting = this.#inactiveDependencies(definition)
        if (waiting.length > 0) {
          changes.push(this.#transition(slot, 'blocked', blockedError(waiting)))
          continue
        }
        changes.push(await this.#activate(slot))
      }
      return { plugin: '*', changes }
    })
  }

  list(): PluginInfo[] {
    return this.#order.map((definition) => this.#info(this.#slots.get(definition.id)!))
  }

  get(id: string): PluginInfo | undefined {
    const slot = this.#slots.get(id)
    return slot ? this.#info(slot) : undefined
  }

  /** The current definition of a plugin (settings look its schema up here). */
  definition(id: string): AnyPluginDefinition | undefined {
    return this.#slots.get(id)?.definition
  }

  /** The active in-process runtime of a plugin (tests and the host's own wiring). */
  runtime(id: string): PluginRuntime | undefined {
    const runtime = this.#slots.get(id)?.runtime
    return runtime instanceof PluginRuntime ? runtime : undefined
  }

  enable(id: string, options: ToggleOptions = {}): Promise<ToggleResult> {
    return this.#serial(async () => {
      const slot = this.#slot(id)
      const changes: StateChangeRecord[] = []
      if (slot.state === 'active') return { plugin: id, changes }
      const missing = transitiveDependencies(this.#order, id).filter((d) => this.#slots.get(d.id)!.state !== 'active')
      if (missing.length > 0 && !options.cascade) {
        const names = missing.map((d) => d.id)
        throw new RpcError('CONFLICT', `Plugin "${id}" needs ${names.map((n) => `"${n}"`).join(', ')} enabled first`, {
          dependencies: names,
        })
      }
      for (const dependency of missing) {
        const dependencySlot = this.#slots.get(dependency.id)!
        this.#remember(dependency.id, true)
        changes.push(await this.#activate(dependencySlot))
        if ((dependencySlot.state as PluginState) !== 'active') return { plugin: id, changes }
      }
      this.#remember(id, true)
      changes.push(await this.#activate(slot))
      if ((slot.state as PluginState) === 'active') changes.push(...(await this.#unblockDependents()))
      return { plugin: id, changes }
    })
  }

  disable(id: string, options: ToggleOptions = {}): Promise<ToggleResult> {
    return this.#serial(async () => {
      const slot = this.#slot(id)
      if (slot.definition.required) {
        throw new RpcError('CONFLICT', `Plugin "${id}" is required and cannot be disabled`, { required: true })
      }
      const changes: StateChangeRecord[] = []
      if (slot.state === 'disabled') return { plugin: id, changes }
      const dependents = transitiveDependents(this.#order, id).filter((d) => this.#slots.get(d.id)!.state === 'active')
      if (dependents.length > 0) {
        const names = dependents.map((d) => d.id)
        if (!options.cascade) {
          throw new RpcError('CONFLICT', `Plugin "${id}" is needed by ${names.map((n) => `"${n}"`).join(', ')}`, {
            dependents: names,
          })
        }
        const required = dependents.filter((d) => d.required).map((d) => d.id)
        if (required.length > 0) {
          throw new RpcError('CONFLICT', `Plugin "${id}" is needed by required plugin(s) ${required.join(', ')}`, {
            dependents: names,
            required,
          })
        }
        for (const dependent of [...dependents].reverse()) {
          this.#remember(dependent.id, false)
          changes.push(await this.#deactivate(this.#slots.get(dependent.id)!, 'disabled'))
        }
      }
      this.#remember(id, false)
      changes.push(await this.#deactivate(slot, 'disabled'))
      return { plugin: id, changes }
    })
  }

  /**
   * Loads one more plugin at run time and activates it (unless the person disabled it before: then it stays
   * disabled). Refused with CONFLICT (`data.rule`) when the id is taken or a dependency is missing; when
   * it fails to activate it is forgotten again and the activation error is thrown (`rule: 'activation-failed'`).
   */
  add(definition: AnyPluginDefinition, source: PluginSource): Promise<PluginInfo> {
    return this.#serial(async () => {
      this.#refuseWhenStopped()
      const id = definition.id
      if (this.#slots.has(id)) {
        const taken = this.#slots.get(id)!.source.origin === 'builtin' ? 'a built-in plugin' : 'an installed package'
        throw new RpcError('CONFLICT', `The plugin id "${id}" is taken by ${taken}`, { plugin: id, rule: 'id-taken' })
      }
      const order = graphOrThrow(id, () => orderByDependencies([...this.#order, definition]))
      // `starting` until its activation is decided (listed so, and a call to it waits: see create-host.ts).
      const slot: Slot = { ...newSlot(definition, source), state: 'starting' }
      this.#slots.set(id, slot)
      this.#order = order
      return this.#withReason({ reason: 'installed', version: definition.version }, async () => {
        const waiting = this.#inactiveDependencies(definition)
        if (this.#persisted()[id] === false) this.#transition(slot, 'disabled')
        else if (waiting.length > 0) this.#transition(slot, 'blocked', blockedError(waiting))
        else {
          const change = await this.#activate(slot)
          if (slot.state === 'failed') {
            this.#forget(slot)
            throw activationRefused(id, change.error)
          }
          await this.#unblockDependents()
        }
        return this.#info(slot)
      })
    })
  }

  /**
   * Swaps a loaded package for a new definition of the same id: its active dependents are stopped, the old
   * version is deactivated and the new one activated; if the new one fails, the old one is activated again
   * and the failure thrown (`rule: 'activation-failed'`). A disabled plugin is swapped and stays disabled.
   */
  replace(definition: AnyPluginDefinition, source: PluginSource): Promise<PluginInfo> {
    return this.#serial(async () => {
      this.#refuseWhenStopped()
      const slot = this.#slot(definition.id)
      const id = definition.id
      if (slot.source.origin === 'builtin') {
        throw new RpcError('CONFLICT', `The plugin id "${id}" is taken by a built-in plugin`, { plugin: id, rule: 'id-taken' })
      }
      const order = graphOrThrow(id, () => orderByDependencies(this.#order.map((d) => (d.id === id ? definition : d))))
      const previous = { definition: slot.definition, source: slot.source, procedureNames: slot.procedureNames }
      return this.#withReason({ reason: 'upgraded', version: definition.version }, async () => {
        if (slot.state === 'disabled') {
          this.#swap(slot, definition, source, order)
          this.#transition(slot, 'disabled')
          return this.#info(slot)
        }
        const dependents = transitiveDependents(this.#order, id).filter((d) => this.#slots.get(d.id)!.state === 'active')
        for (const dependent of [...dependents].reverse()) {
          await this.#deactivate(this.#slots.get(dependent.id)!, 'blocked', blockedError([id]))
        }
        if (slot.state === 'active') await this.#deactivate(slot, 'inactive')
        const previousOrder = this.#order
        this.#swap(slot, definition, source, order)
        const change = this.#inactiveDependencies(definition).length === 0 ? await this.#activate(slot) : undefined
        if (change && slot.state === 'failed') {
          this.#swap(slot, previous.definition, previous.source, previousOrder)
          this.#reason = { reason: 'upgraded', version: previous.definition.version }
          await this.#activate(slot)
          await this.#unblockDependents()
          throw activationRefused(id, change.error)
        }
        await this.#unblockDependents()
        return this.#info(slot)
      })
    })
  }

  /**
   * Deactivates a package and forgets it (every registration disposed). Refused for built-ins, and with
   * CONFLICT `data.dependents` while other loaded plugins depend on it.
   */
  remove(id: string): Promise<StateChangeRecord> {
    return this.#serial(async () => {
      const slot = this.#slot(id)
      if (slot.source.origin === 'builtin') {
        throw new RpcError('CONFLICT', `Plugin "${id}" is built in and cannot be removed`, { plugin: id, rule: 'builtin' })
      }
      const dependents = transitiveDependents(this.#order, id).map((d) => d.id)
      if (dependents.length > 0) {
        throw new RpcError('CONFLICT', `Plugin "${id}" is needed by ${dependents.map((n) => `"${n}"`).join(', ')}`, {
          plugin: id,
          rule: 'has-dependents',
          dependents,
        })
      }
      return this.#withReason({ reason: 'uninstalled' }, async () => {
        const change = slot.state === 'active' ? await this.#deactivate(slot, 'uninstalled') : this.#transition(slot, 'uninstalled')
        this.#forget(slot)
        const { [id]: _dropped, ...rest } = this.#persisted()
        this.#deps.settings.set(ENABLED_KEY, rest)
        return change
      })
    })
  }

  /**
   * Deactivates every plugin, dependents first. The host is unusable afterwards. One plugin's failure to
   * dispose is logged and does not keep the others from being disposed.
   */
  stop(): Promise<void> {
    return this.#serial(async () => {
      this.#stopped = true
      for (const definition of [...this.#order].reverse()) {
        const slot = this.#slots.get(definition.id)!
        if (slot.state !== 'active') continue
        try {
          await this.#deactivate(slot, 'inactive')
        } catch (error) {
          this.#deps.logger.error({ err: describeError(error), plugin: definition.id }, 'Plugin failed to stop')
        }
      }
    })
  }

  async #activate(slot: Slot): Promise<StateChangeRecord> {
    if (this.#stopped) throw new RpcError('UNAVAILABLE', 'The host is shutting down')
    // An isolated plugin failed while its process restarts still holds its activation: end it first.
    if (slot.runtime) await this.#endActivation(slot)
    const isolated = slot.source.isolated
    const holder: { activation?: PluginActivation } = {}
    const runtime = isolated ? isolated.activation(this.#deps, this.#faultsOf(slot, holder)) : new PluginRuntime(slot.definition, this.#deps, slot.source)
    holder.activation = runtime
    try {
      await runtime.activate(this.#deps.pluginHostConfig.activationTimeoutMs)
      slot.runtime = runtime
      return this.#transition(slot, 'active')
    } catch (error) {
      // Whatever setup threw is read safely: an object with throwing getters fails this plugin, not the boot.
      const described = describeError(error)
      this.#deps.logger.error({ err: described, plugin: slot.definition.id }, 'Plugin failed to activate')
      return this.#transition(slot, 'failed', { message: described.message, code: activationErrorCode(error) })
    }
  }

  /**
   * How an isolated plugin's activation reports its process: failed while it restarts, active again, or
   * given up (then deactivated, and failed until enabled). A report of an activation that was replaced
   * since (disabled, upgraded) is ignored.
   */
  #faultsOf(slot: Slot, holder: { readonly activation?: PluginActivation }): ProcessFaults {
    const current = (): boolean => holder.activation !== undefined && slot.runtime === holder.activation
    return {
      failed: (error) => {
        if (current() && slot.state === 'active') this.#transition(slot, 'failed', error)
      },
      recovered: () => {
        if (current() && slot.state === 'failed') this.#transition(slot, 'active')
      },
      gaveUp: (error) => {
        void this.#serial(async () => {
          if (!current()) return
          await this.#endActivation(slot)
          this.#transition(slot, 'failed', error)
        })
      },
    }
  }

  /** Ends the slot's activation within the teardown time box; whatever fails is logged. */
  async #endActivation(slot: Slot): Promise<void> {
    const runtime = slot.runtime
    slot.runtime = undefined
    try {
      if (runtime) await runtime.deactivate(this.#deps.pluginHostConfig.disposeTimeoutMs)
    } catch (failure) {
      // The runtime is gone whatever happened: the state must say so, never "active" with no methods.
      this.#deps.logger.error({ err: describeError(failure), plugin: slot.definition.id }, 'Plugin failed to deactivate cleanly')
    }
  }

  async #deactivate(slot: Slot, to: PluginState, error?: PluginErrorInfo): Promise<StateChangeRecord> {
    await this.#endActivation(slot)
    const change = this.#transition(slot, to, error)
    // Active dependents can only exist here on stop(); blocked ones stay blocked, now waiting for this.
    for (const dependent of transitiveDependents(this.#order, slot.definition.id)) {
      const dependentSlot = this.#slots.get(dependent.id)!
      if (dependentSlot.state === 'blocked') dependentSlot.error = blockedError(this.#inactiveDependencies(dependent))
    }
    return change
  }

  async #unblockDependents(): Promise<StateChangeRecord[]> {
    const changes: StateChangeRecord[] = []
    for (const definition of this.#order) {
      const slot = this.#slots.get(definition.id)!
      if (slot.state === 'blocked' && this.#inactiveDependencies(definition).length === 0) {
        changes.push(await this.#activate(slot))
      }
    }
    return changes
  }

  #transition(slot: Slot, to: PluginState, error?: PluginErrorInfo): StateChangeRecord {
    const from = slot.state
    slot.state = to
    slot.error = error
    const change: StateChangeRecord = { id: slot.definition.id, from, to, ...(error ? { error } : {}), ...this.#reason }
    this.#deps.logger.info({ plugin: change.id, from, to, ...(error ? { error: error.message } : {}) }, 'Plugin state changed')
    try {
      this.#deps.hooks.pluginStateChanged.hook.call(change)
    } catch (hookError) {
      this.#deps.logger.error({ err: hookError }, 'A pluginStateChanged tap failed')
    }
    if (this.#deps.eventBus.get(CATALOG_CHANGED_EVENT)) {
      this.#deps.eventBus.emit(CATALOG_CHANGED_EVENT, { plugin: change.id, state: to })
    }
    return change
  }

  #inactiveDependencies(definition: AnyPluginDefinition): string[] {
    return definition.dependencies.filter((dependency) => this.#slots.get(dependency)?.state !== 'active')
  }

  #slot(id: string): Slot {
    const slot = typeof id === 'string' ? this.#slots.get(id) : undefined
    if (!slot) throw new RpcError('NOT_FOUND', `No plugin "${String(id)}"`, { plugin: id })
    return slot
  }

  #info(slot: Slot): PluginInfo {
    const { definition } = slot
    return {
      id: definition.id,
      version: definition.version,
      description: definition.description,
      state: slot.state,
      ...(slot.error ? { error: slot.error } : {}),
      required: definition.required,
      hasSettings: definition.settings !== undefined,
      dependencies: definition.dependencies,
      dependents: this.#order.filter((d) => d.dependencies.includes(definition.id)).map((d) => d.id),
      origin: slot.source.origin,
      ...(slot.source.folder !== undefined ? { folder: slot.source.folder } : {}),
      permissions: definition.permissions,
      ...(slot.source.isolated ? { process: slot.source.isolated.processInfo() } : {}),
    }
  }

  #swap(slot: Slot, definition: AnyPluginDefinition, source: PluginSource, order: AnyPluginDefinition[]): void {
    slot.definition = definition
    slot.source = source
    slot.procedureNames = new Set(Object.keys(definition.procedures))
    this.#order = order
  }

  #forget(slot: Slot): void {
    this.#slots.delete(slot.definition.id)
    this.#order = this.#order.filter((d) => d.id !== slot.definition.id)
  }

  async #withReason<T>(reason: ChangeReason, task: () => Promise<T>): Promise<T> {
    this.#reason = reason
    try {
      return await task()
    } finally {
      this.#reason = undefined
    }
  }

  #refuseWhenStopped(): void {
    if (this.#stopped) throw new RpcError('UNAVAILABLE', 'The host is shutting down')
  }

  #explainMissing(domain: string, name: string, caller: Caller): RpcError | undefined {
    const slot = this.#slots.get(domain)
    if (!slot || slot.state === 'active' || !slot.procedureNames.has(name)) return undefined
    if (caller.kind === 'renderer' && slot.definition.procedures[name]?.expose !== true) return undefined
    return new RpcError('PLUGIN_DISABLED', `Plugin "${domain}" is ${slot.state}`, { plugin: domain, state: slot.state })
  }

  #persisted(): Record<string, boolean> {
    const value = this.#deps.settings.get(ENABLED_KEY)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
    const out: Record<string, boolean> = {}
    for (const [id, enabled] of Object.entries(value)) if (typeof enabled === 'boolean') out[id] = enabled
    return out
  }

  #remember(id: string, enabled: boolean): void {
    this.#deps.settings.set(ENABLED_KEY, { ...this.#persisted(), [id]: enabled })
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task)
    this.#queue = run.catch(() => undefined)
    return run
  }
}

function newSlot(definition: AnyPluginDefinition, source: PluginSource): Slot {
  return { definition, source, procedureNames: new Set(Object.keys(definition.procedures)), state: 'inactive', error: undefined, runtime: undefined }
}

/** Orders the graph, turning a missing dependency or a cycle into a refusal naming the plugin. */
function graphOrThrow(id: string, order: () => AnyPluginDefinition[]): AnyPluginDefinition[] {
  try {
    return order()
  } catch (error) {
    if (!(error instanceof PluginGraphError)) throw error
    const rule = error.problem === 'missing-dependency' ? 'missing-dependency' : 'dependency-cycle'
    throw new RpcError('CONFLICT', `Plugin "${id}" cannot be loaded: ${error.message}`, { plugin: id, rule })
  }
}

function activationRefused(id: string, error: PluginErrorInfo | undefined): RpcError {
  return new RpcError('INVALID_PARAMS', `Plugin "${id}" failed to activate: ${error?.message ?? 'unknown error'}`, {
    plugin: id,
    rule: 'activation-failed',
  })
}

/** An RpcError's code (an activation timeout is TIMEOUT), else ACTIVATION_FAILED; never throws. */
function activationErrorCode(error: unknown): string {
  try {
    return error instanceof RpcError ? error.code : 'ACTIVATION_FAILED'
  } catch {
    return 'ACTIVATION_FAILED'
  }
}

function blockedError(waiting: readonly string[]): PluginErrorInfo {
  return {
    code: 'DEPENDENCY_INACTIVE',
    message: `Waiting for ${waiting.map((id) => `"${id}"`).join(', ')} to be active`,
  }
}
