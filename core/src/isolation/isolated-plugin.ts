/**
 * The host side of an installed plugin running in its own process: it forks the process (Node's
 * `child_process.fork` with `serialization: 'advanced'`, structured clone like Electron IPC), keeps the
 * link, and is the plugin's `PluginHandle` for the router. The router stays the only router: the plugin's
 * procedures are registered with a definition rebuilt from the description its process sends
 * (description.ts), so permissions, rate limits, input validation and deadlines are all applied here,
 * before a message reaches the process; the plugin's own calls come back over the link and are routed as
 * `plugin:<id>` with its grants.
 *
 * Faults are contained: a process that crashes, exits, runs out of its memory limit or stops answering
 * heartbeats fails its calls in flight with UNAVAILABLE at once, marks the plugin `failed` with the reason,
 * and is restarted with backoff (at most `maxRestarts` in `restartWindowMs`, then it stays failed until a
 * person enables it again). Loading and activating are time-boxed (an import or a setup that loops for
 * ever is killed), and deactivating kills the process after the teardown time box.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describeError } from '../common/describe-error'
import { RpcError } from '../common/errors'
import type { Caller } from '../host/caller'
import type { Disposable } from '../host/disposable'
import type { Logger } from '../host/logger'
import type { PluginHandle } from '../host/plugin-handle'
import type { LoadedPackage } from '../packages/load-entry'
import type { PackageManifest } from '../packages/manifest'
import type { IsolatedRuntime, PluginActivation, ProcessFaults } from '../plugin/activation'
import { methodOf } from '../plugin/contract-client'
import type { AnyPluginDefinition, CallOptions } from '../plugin/definition'
import type { PluginHostDependencies } from '../plugin/plugin-host'
import type { PluginProcessInfo } from '../plugin/plugin-info'
import type { PluginSettings } from '../plugin/settings'
import { definitionFromDescription, parseDescription, type PluginDescription } from './description'
import { Link, type LinkPort } from './link'
import { decodeContribution, encodeArguments } from './marshal'
import { CALLBACK_EVENT, CONTRIBUTE, INVOKE, LOG_EVENT, SETTINGS_EVENT, SUBSCRIBE, UNSUBSCRIBE, WITHDRAW, type ActivateParams, type CallParams, type LoadParams, type LogRecord, type PingAnswer } from './link-methods'
import { processExecArgv } from './process-permissions'

export interface IsolationOptions {
  /** The built entry of a plugin process (plugin-sdk/src/isolation/entry.ts, bundled with the SDK and zod). */
  readonly entry: string
  /** The Node executable. Default `process.execPath` (Electron passes its own with `ELECTRON_RUN_AS_NODE=1`). */
  readonly execPath?: string
  /** The process's whole environment (nothing of the host's is inherited). Default none. */
  readonly env?: Readonly<Record<string, string>>
  /** More paths the process must read to start (besides its entry, its package and the lent modules). */
  readonly read?: readonly string[]
  /** `--max-old-space-size` of each plugin process, in MB. Default 256. */
  readonly maxOldSpaceMb?: number
  /** How often the host pings each process. Default 2 s. */
  readonly heartbeatMs?: number
  /** A process that leaves a ping unanswered this long is killed and restarted. Default 5 s. */
  readonly heartbeatTimeoutMs?: number
  /** Restarts allowed within `restartWindowMs` before the plugin stays failed. Default 3 in 60 s. */
  readonly maxRestarts?: number
  readonly restartWindowMs?: number
  /** Delay before the second restart in a window, doubled each time after (the first is immediate). Default 200 ms. */
  readonly restartBackoffMs?: number
  /** Most calls a plugin process may have in flight to the host; more are refused RATE_LIMITED. Default 256. */
  readonly maxCallsInFlight?: number
}

export interface IsolatedPluginOptions {
  readonly manifest: PackageManifest
  readonly label: string
  /** The package's folder (the only one it may read besides the lent modules). */
  readonly folder: string
  /** `<plugins>/node_modules`: the shims of the lent modules. */
  readonly sharedModulesDir: string
  /** Its own data folder (the only one it may write). */
  readonly dataDir: string
  readonly logger: Logger
  readonly isolation: IsolationOptions
}

/** One forked process and its link; a restart makes a new one. */
interface Generation {
  readonly child: ChildProcess
  readonly link: Link
  readonly exited: Promise<void>
  readonly subscriptions: Map<string, Disposable>
  /** Its contributions to extension points, by the id answered to the process (withdrawn when it exits). */
  readonly contributions: Map<number, Disposable>
  /** Set before the host kills it, so the exit reports why. */
  killReason: string | undefined
  stderrTail: string
  ping: { sentAt: number } | undefined
}

interface Active {
  readonly deps: PluginHostDependencies
  readonly faults: ProcessFaults
  readonly settingsListener: Disposable
  readonly timeoutMs: number
}

const STDERR_TAIL = 4096

export class IsolatedPlugin implements PluginHandle, IsolatedRuntime {
  readonly id: string
  readonly caller: Caller
  readonly logger: Logger
  readonly services: unknown = Object.freeze({})
  readonly #options: IsolatedPluginOptions
  #definition: AnyPluginDefinition | undefined
  #description: PluginDescription | undefined
  #generation: Generation | undefined
  #active: Active | undefined
  /** The host's services while activating or active (what the process's own calls and events go through). */
  #deps: PluginHostDependencies | undefined
  #state: PluginProcessInfo['state'] = 'stopped'
  #serving = false
  #restarts = 0
  #restartTimes: number[] = []
  #restartTimer: ReturnType<typeof setTimeout> | undefined
  #heartbeat: ReturnType<typeof setInterval> | undefined
  #restarting = false
  #memoryBytes: number | undefined
  #lastError: string | undefined
  #startedAt: number | undefined
  #nextContribution = 0
  #nextCallback = 0
  /** Functions the host passed to a contributed function, while that call runs (by callback id). */
  readonly #callbacks = new Map<number, (...args: unknown[]) => unknown>()

  constructor(options: IsolatedPluginOptions) {
    this.#options = options
    this.id = options.manifest.id
    this.caller = Object.freeze({ id: `plugin:${this.id}`, kind: 'plugin', grants: options.manifest.permissions })
    this.logger = options.logger.child({ plugin: this.id })
  }

  get settings(): PluginSettings<unknown> {
    const deps = this.#deps
    return Object.freeze({
      get: () => deps?.pluginSettings.values(this.id) ?? {},
      onChange: () => {
        throw new RpcError('UNAVAILABLE', 'An isolated plugin hears of its settings in its own process')
      },
    })
  }

  /** The definition the host routes with (its handlers forward to the process); set by `load`. */
  get definition(): AnyPluginDefinition {
    if (!this.#definition) throw new Error(`Plugin "${this.id}" is not loaded`)
    return this.#definition
  }

  processInfo(): PluginProcessInfo {
    const pid = this.#generation?.child.pid
    return {
      state: this.#state,
      restarts: this.#restarts,
      ...(pid !== undefined && this.#generation ? { pid } : {}),
      ...(this.#memoryBytes !== undefined ? { memoryBytes: this.#memoryBytes } : {}),
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
      ...(this.#startedAt !== undefined ? { startedAt: this.#startedAt } : {}),
    }
  }

  /** Starts the process and loads the package in it, within `timeoutMs`; answers what the host routes with. */
  async load(timeoutMs: number): Promise<LoadedPackage> {
    await this.#start(timeoutMs)
    return { definition: this.#definition!, settingsSchema: this.#description?.settings }
  }

  /** Ends the process (a package inspected but not installed, or loaded but not activated). */
  async stop(): Promise<void> {
    if (this.#active) return
    await this.#kill(this.#generation, undefined)
    this.#state = 'stopped'
  }

  activation(deps: PluginHostDependencies, faults: ProcessFaults): PluginActivation {
    return {
      activate: (timeoutMs) => this.#activate(deps, faults, timeoutMs),
      deactivate: (timeoutMs) => this.#deactivate(timeoutMs),
    }
  }

  emit(event: string, payload: unknown): void {
    const deps = this.#deps
    if (!deps) throw new RpcError('UNAVAILABLE', `Plugin "${this.id}" is not active`)
    deps.eventBus.emit(`${this.id}.${event}`, payload)
  }

  call(target: unknown, params?: unknown, options?: CallOptions): Promise<unknown> {
    const deps = this.#deps
    if (!deps) return Promise.reject(new RpcError('UNAVAILABLE', `Plugin "${this.id}" is not active`))
    try {
      return deps.router.call(this.caller, methodOf(target), params, options)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  // ------------------------------------------------------------------------------------------- activation

  async #activate(deps: PluginHostDependencies, faults: ProcessFaults, timeoutMs: number): Promise<void> {
    this.#restarts = 0
    this.#restartTimes = []
    const started = Date.now()
    if (!this.#generation || !this.#definition) await this.#start(timeoutMs)
    const settingsListener = deps.pluginSettings.listen(this.id, (values) => this.#generation?.link.notify(SETTINGS_EVENT, values))
    const active: Active = { deps, faults, settingsListener, timeoutMs }
    this.#deps = deps
    try {
      await this.#activateProcess(active, Math.max(1, timeoutMs - (Date.now() - started)))
      // Only now is it active: a process that dies during its setup fails the activation, not a restart.
      this.#active = active
    } catch (error) {
      this.#deps = undefined
      settingsListener.dispose()
      await this.#kill(this.#generation, undefined)
      this.#state = 'failed'
      this.#lastError = describeError(error).message
      throw error
    }
    deps.hooks.registerDomain.hook.call({ domain: this.id, plugin: this, procedures: this.definition.procedures, events: this.definition.events })
    this.#startHeartbeat()
  }

  async #activateProcess(active: Active, timeoutMs: number): Promise<void> {
    const generation = this.#generation
    if (!generation) throw new RpcError('UNAVAILABLE', `Plugin "${this.id}" has no process`)
    const params: ActivateParams = {
      settings: active.deps.pluginSettings.values(this.id),
      dataDir: this.#options.dataDir,
      validateOutput: active.deps.router.config.validateOutput,
    }
    await this.#within(timeoutMs, 'finish setup', (signal) => generation.link.request('$activate', params, { signal }))
    this.#serving = true
    this.#state = 'running'
  }

  async #deactivate(timeoutMs: number): Promise<void> {
    const active = this.#active
    this.#active = undefined
    this.#deps = undefined
    this.#serving = false
    this.#stopHeartbeat()
    clearTimeout(this.#restartTimer)
    if (!active) return
    active.deps.hooks.unregisterDomain.hook.call(this.id)
    active.settingsListener.dispose()
    const generation = this.#generation
    if (generation && !generation.link.closed) {
      await this.#within(timeoutMs, 'finish teardown', (signal) => generation.link.request('$deactivate', undefined, { signal })).catch((error: unknown) =>
        this.logger.warn({ err: describeError(error) }, 'Teardown did not finish: the process is ended anyway'),
      )
    }
    await this.#kill(generation, undefined)
    // Given up after too many restarts: the person sees `failed` until they enable it again.
    if (this.#state !== 'failed') this.#state = 'stopped'
  }

  // ------------------------------------------------------------------------------------------- process

  /** Forks a process and loads the package in it within `timeoutMs`; kills it on any failure. */
  async #start(timeoutMs: number): Promise<void> {
    this.#state = this.#restarting ? 'restarting' : 'starting'
    // Before the fork: the permission model resolves the allowed paths when the process starts, and a
    // folder that does not exist yet would not be allowed as a folder.
    await mkdir(this.#options.dataDir, { recursive: true })
    const generation = this.#spawn()
    try {
      const { manifest, label } = this.#options
      const params: LoadParams = { manifest, label }
      const answer = await this.#within(timeoutMs, 'load', (signal) => generation.link.request('$load', params, { signal }))
      const description = parseDescription(answer)
      if (description.id !== manifest.id || description.version !== manifest.version) {
        throw new RpcError('INVALID_PARAMS', `Package ${label} refused: its process describes ${description.id}@${description.version}`)
      }
      if ([...new Set(description.permissions)].sort().join('\n') !== manifest.permissions.join('\n')) {
        throw new RpcError('INVALID_PARAMS', `Package ${label} refused: its permissions differ from atomiton.permissions`)
      }
      if (!this.#definition) {
        this.#description = description
        this.#definition = definitionFromDescription(description, (name, input, ctx) => this.#forward(name, input, ctx))
      }
    } catch (error) {
      await this.#kill(generation, undefined)
      this.#lastError = describeError(error).message
      this.#state = 'failed'
      throw error
    }
  }

  #spawn(): Generation {
    const { isolation, folder, sharedModulesDir, dataDir } = this.#options
    const execArgv = processExecArgv({
      read: [isolation.entry, folder, sharedModulesDir, dataDir, ...(isolation.read ?? [])],
      write: [dataDir],
      permissions: this.#options.manifest.permissions,
      maxOldSpaceMb: isolation.maxOldSpaceMb ?? 256,
    })
    const child = fork(isolation.entry, [], {
      execPath: isolation.execPath ?? process.execPath,
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...isolation.env },
      cwd: folder,
    })
    const port: LinkPort = {
      send: (message) => {
        if (!child.connected) throw new Error('The plugin process is gone')
        child.send(message as never)
      },
      onMessage: (listener) => {
        child.on('message', listener)
        return () => child.off('message', listener)
      },
    }
    const link = new Link(
      port,
      {
        request: (method, params, signal) => this.#serveProcess(generation, method, params, signal),
        event: (event, payload) => this.#processEvent(event, payload),
      },
      { maxIncoming: isolation.maxCallsInFlight ?? 256 },
    )
    const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
      this.#exited(generation, code, signal)
      resolve()
    }))
    const generation: Generation = { child, link, exited, subscriptions: new Map(), contributions: new Map(), killReason: undefined, stderrTail: '', ping: undefined }
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      generation.stderrTail = (generation.stderrTail + chunk).slice(-STDERR_TAIL)
    })
    // A fork that cannot start at all (no such executable) reports here, then exits. A process that did start
    // also reports here a message it could not be sent while it dies (EPIPE): its exit says why it died.
    child.on('error', (error) => {
      if (child.pid === undefined) generation.killReason ??= `could not run its process (${error.message})`
    })
    this.#generation = generation
    this.#startedAt = Date.now()
    this.#memoryBytes = undefined
    return generation
  }

  /** Ends a process (SIGKILL: its code gets no say) and waits for it to be gone. */
  async #kill(generation: Generation | undefined, reason: string | undefined): Promise<void> {
    if (!generation) return
    if (generation.child.exitCode === null && generation.child.signalCode === null) {
      generation.killReason ??= reason
      generation.child.kill('SIGKILL')
    }
    await generation.exited
  }

  #exited(generation: Generation, code: number | null, signal: NodeJS.Signals | null): void {
    const reason = generation.killReason ?? this.#exitReason(generation, code, signal)
    generation.link.close(new RpcError('UNAVAILABLE', `Plugin "${this.id}" is not running: its process ${reason}`, { plugin: this.id }))
    for (const subscription of generation.subscriptions.values()) subscription.dispose()
    generation.subscriptions.clear()
    for (const contribution of generation.contributions.values()) contribution.dispose()
    generation.contributions.clear()
    if (this.#generation !== generation) return
    this.#generation = undefined
    this.#memoryBytes = undefined
    this.#serving = false
    const expected = generation.killReason === undefined && !this.#active
    if (!expected || this.#active) this.#lastError = `Its process ${reason}`
    if (this.#active && !this.#restarting) this.#crashed(`Its process ${reason}`)
  }

  #exitReason(generation: Generation, code: number | null, signal: NodeJS.Signals | null): string {
    if (/heap out of memory|Reached heap limit|Allocation failed/i.test(generation.stderrTail)) {
      return `ran out of memory (limit ${this.#options.isolation.maxOldSpaceMb ?? 256} MB)`
    }
    if (signal) return `was killed (${signal})`
    return `exited with code ${String(code)}`
  }

  /** An active plugin's process is gone: fail it now, and restart it (with backoff) or give up. */
  #crashed(reason: string): void {
    const active = this.#active
    if (!active) return
    this.#stopHeartbeat()
    this.logger.error({ reason }, 'Plugin process failed')
    active.faults.failed({ code: 'PROCESS_FAILED', message: reason })
    const { maxRestarts = 3, restartWindowMs = 60_000, restartBackoffMs = 200 } = this.#options.isolation
    const now = Date.now()
    this.#restartTimes = this.#restartTimes.filter((time) => now - time < restartWindowMs)
    if (this.#restartTimes.length >= maxRestarts) {
      this.#state = 'failed'
      this.#lastError = `${reason}; restarted ${this.#restartTimes.length} times within ${restartWindowMs} ms: it stays stopped until it is enabled again`
      active.faults.gaveUp({ code: 'PROCESS_FAILED', message: this.#lastError })
      return
    }
    const delay = this.#restartTimes.length === 0 ? 0 : restartBackoffMs * 2 ** (this.#restartTimes.length - 1)
    this.#restartTimes.push(now)
    this.#state = 'restarting'
    this.#restartTimer = setTimeout(() => void this.#restart(active), delay)
  }

  async #restart(active: Active): Promise<void> {
    if (this.#active !== active) return
    this.#restarting = true
    try {
      await this.#start(active.timeoutMs)
      if (this.#active !== active) return void (await this.#kill(this.#generation, undefined))
      await this.#activateProcess(active, active.timeoutMs)
      this.#restarts++
      this.#restarting = false
      this.#startHeartbeat()
      active.faults.recovered()
    } catch (error) {
      this.#restarting = false
      await this.#kill(this.#generation, undefined)
      if (this.#active === active) this.#crashed(`It could not be restarted: ${describeError(error).message}`)
    } finally {
      this.#restarting = false
    }
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat()
    const { heartbeatMs = 2_000, heartbeatTimeoutMs = 5_000 } = this.#options.isolation
    const timer = setInterval(() => {
      const generation = this.#generation
      if (!generation || generation.link.closed) return
      if (generation.ping) {
        if (Date.now() - generation.ping.sentAt > heartbeatTimeoutMs) {
          void this.#kill(generation, `stopped answering (no heartbeat answer within ${heartbeatTimeoutMs} ms: a handler blocking its event loop?)`)
        }
        return
      }
      const ping = { sentAt: Date.now() }
      generation.ping = ping
      generation.link.request('$ping').then(
        (answer) => {
          if (generation.ping === ping) generation.ping = undefined
          const rss = (answer as PingAnswer | null)?.rss
          if (typeof rss === 'number' && this.#generation === generation) this.#memoryBytes = rss
        },
        () => undefined,
      )
    }, Math.min(heartbeatMs, heartbeatTimeoutMs))
    timer.unref()
    this.#heartbeat = timer
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat)
    this.#heartbeat = undefined
  }

  /** Asks the process for its memory now (tests, the bench and the Settings view's refresh). */
  async sampleMemory(): Promise<number | undefined> {
    const answer = (await this.#generation?.link.request('$ping')) as PingAnswer | undefined
    if (answer && typeof answer.rss === 'number') this.#memoryBytes = answer.rss
    return this.#memoryBytes
  }

  // ------------------------------------------------------------------------------------------- the link

  /** A call routed by the host to this plugin: checked already (permissions, limits, input); crosses the link. */
  #forward(name: string, input: unknown, ctx: { readonly caller: Caller; readonly signal: AbortSignal }): Promise<unknown> {
    const generation = this.#generation
    if (!generation || !this.#serving) {
      return Promise.reject(new RpcError('UNAVAILABLE', `Plugin "${this.id}" is not running${this.#lastError ? `: ${this.#lastError}` : ''}`, { plugin: this.id }))
    }
    const { id, kind, grants } = ctx.caller
    const params: CallParams = { input, caller: { id, kind, grants: [...grants] } }
    return generation.link.request(`${this.id}.${name}`, params, { signal: ctx.signal })
  }

  /** What the process asks of the host: calls as this plugin, and subscriptions to events. */
  #serveProcess(generation: Generation, method: string, params: unknown, signal: AbortSignal): unknown {
    const deps = this.#deps
    if (!deps) throw new RpcError('UNAVAILABLE', `Plugin "${this.id}" is not active`)
    const event = (params as { event?: unknown } | null)?.event
    if (method === SUBSCRIBE) {
      if (typeof event !== 'string') throw new RpcError('BAD_REQUEST', 'Subscribe to an event by name')
      if (!generation.subscriptions.has(event)) {
        generation.subscriptions.set(event, deps.eventBus.listen(this.caller, event, (payload) => generation.link.notify(event, payload)))
      }
      return null
    }
    if (method === UNSUBSCRIBE) {
      if (typeof event === 'string') {
        generation.subscriptions.get(event)?.dispose()
        generation.subscriptions.delete(event)
      }
      return null
    }
    if (method === CONTRIBUTE) {
      const { point, value } = (params ?? {}) as { point?: unknown; value?: unknown }
      if (typeof point !== 'string' || point === '') throw new RpcError('BAD_REQUEST', 'Contribute to an extension point by its id')
      const decoded = decodeContribution(value, (id, args) => this.#invoke(generation, id, args))
      const id = ++this.#nextContribution
      generation.contributions.set(id, deps.extensions.contribute(point, this.id, decoded))
      return id
    }
    if (method === WITHDRAW) {
      const id = (params as { id?: unknown } | null)?.id
      if (typeof id === 'number') {
        generation.contributions.get(id)?.dispose()
        generation.contributions.delete(id)
      }
      return null
    }
    if (method.startsWith('$')) throw new RpcError('METHOD_NOT_FOUND', `Method not found: ${method.slice(0, 200)}`)
    return deps.router.call(this.caller, method, params, { signal })
  }

  /**
   * Calls a function the process contributed (a node type's `execute`): its arguments cross as data, an
   * AbortSignal among them as the request's signal (a cancel crosses the link), functions as callbacks.
   */
  async #invoke(generation: Generation, id: number, args: unknown[]): Promise<unknown> {
    if (this.#generation !== generation || generation.link.closed) {
      throw new RpcError('UNAVAILABLE', `Plugin "${this.id}" is not running${this.#lastError ? `: ${this.#lastError}` : ''}`, { plugin: this.id })
    }
    const callbackIds: number[] = []
    const encoded = encodeArguments(args, this.#callbacks, () => {
      const callbackId = ++this.#nextCallback
      callbackIds.push(callbackId)
      return callbackId
    })
    try {
      return await generation.link.request(INVOKE, { fn: id, args: encoded.args }, encoded.signal ? { signal: encoded.signal } : {})
    } finally {
      for (const callbackId of callbackIds) this.#callbacks.delete(callbackId)
    }
  }

  #processEvent(event: string, payload: unknown): void {
    if (event === LOG_EVENT) return this.#log(payload)
    if (event === CALLBACK_EVENT) {
      const { id, args } = (payload ?? {}) as { id?: unknown; args?: unknown }
      const callback = typeof id === 'number' ? this.#callbacks.get(id) : undefined
      try {
        callback?.(...(Array.isArray(args) ? args : []))
      } catch (error) {
        this.logger.warn({ err: describeError(error) }, 'A callback of a contributed function failed')
      }
      return
    }
    try {
      this.emit(event, payload)
    } catch (error) {
      this.logger.warn({ err: describeError(error), event }, 'The plugin process emitted an event that was refused')
    }
  }

  #log(payload: unknown): void {
    const record = payload as Partial<LogRecord> | null
    const level = record?.level
    if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') return
    const bindings = typeof record?.bindings === 'object' && record.bindings !== null ? record.bindings : {}
    const obj = typeof record?.obj === 'object' && record.obj !== null ? record.obj : {}
    // The plugin names itself in its bindings, but cannot pass for another: `plugin` is always its id.
    this.#options.logger.child({ ...bindings, plugin: this.id })[level](obj, typeof record?.msg === 'string' ? record.msg : '')
  }

  async #within<T>(ms: number, what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new RpcError('TIMEOUT', `Plugin "${this.id}" did not ${what} within ${ms} ms`)), ms)
    try {
      return await run(controller.signal)
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Where an installed package's isolated process keeps its data: `<plugins>/.data/<id>`. */
export function isolatedDataDir(pluginsDir: string, id: string): string {
  return join(pluginsDir, '.data', id)
}
