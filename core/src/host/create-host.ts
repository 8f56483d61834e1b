/**
 * Boots a host: an awilix root container (PROXY injection, strict) holding the host's services, the
 * plugin host loading the given plugins (each in its own scope), and the reserved `rpc` domain.
 *
 * The same function boots Electron's main process, browser mode's Node server, `createTestHost` and the
 * benchmarks: only the stores, the logger and the transports differ.
 */
import { asClass, asFunction, asValue, createContainer, InjectionMode, type AwilixContainer } from 'awilix'
import type { CallOptions, AnyPluginDefinition } from '../plugin/definition'
import type { Clock, HostServices, RuntimeInfo } from '../plugin/context-types'
import { PluginHost, type PluginHostConfig } from '../plugin/plugin-host'
import { PluginSettingsService } from './plugin-settings'
import type { PackageService } from '../plugin/package-service'
import type { HostModules } from '../packages/host-modules'
import { PackageManager } from '../packages/package-manager'
import type { IsolationOptions } from '../isolation/isolated-plugin'
import { watchDevRequests } from '../packages/dev-reload'
import type { Disposable } from './disposable'
import { RpcError } from '../common/errors'
import type { Caller } from './caller'
import type { ConnectOptions, HostConnection } from './connection'
import { EventBus } from './event-bus'
import { ExtensionRegistry } from './extensions'
import { createHostDomain } from './host-domain'
import { createHostHooks, type HostHooks } from './hooks'
import { silentLogger, type Logger } from './logger'
import { defaultRateLimitPolicyFor, RateLimiter, type RateLimitPolicy } from './rate-limiter'
import { checkTimeLimit, Router, type RouterConfig } from './router'
import { RpcConnection, type ConnectionLimits } from './rpc-connection'
import { createMemoryStoreFactory } from './stores/memory-store'
import type { KeyValueStore, StoreFactory } from './stores/key-value-store'

export interface HostOptions {
  readonly plugins: readonly AnyPluginDefinition[]
  readonly logger?: Logger
  /** Where plugins and the host persist data; in memory by default. */
  readonly stores?: StoreFactory
  readonly runtime?: Partial<RuntimeInfo>
  readonly clock?: Clock
  /** Time limit of procedures that set none, in ms: finite and positive. Default 30 s. */
  readonly defaultTimeoutMs?: number
  /** Validate handler results. Default: on unless NODE_ENV is `production`. */
  readonly validateOutput?: boolean
  /** Development only: internal error messages and stacks reach callers. Default off. */
  readonly exposeErrors?: boolean
  /**
   * Call budgets per caller kind, or `false` for none. Default: a renderer (or all sockets of one WebSocket
   * client) may burst two full batches (2 x maxBatchSize = 2,000 calls) and make one batch's worth per second.
   */
  readonly rateLimit?: RateLimitPolicy | false
  /** Time box for disposing one plugin. Default 5 s. */
  readonly disposeTimeoutMs?: number
  /** Time box for activating one plugin (`setup`); past it the plugin is `failed` (TIMEOUT). Default 10 s. */
  readonly activationTimeoutMs?: number
  /** Most requests in one batch. Default 1000. */
  readonly maxBatchSize?: number
  /** Log every call at debug level with its duration. Default: when the logger's level is debug. */
  readonly logCalls?: boolean
  /** Grants of `host.call` and `host.mainCaller`. Default `['*']`. */
  readonly mainGrants?: readonly string[]
  /**
   * More root services, or replacements of the host's (fakes in tests). A plugin reaches one only by
   * declaring it in `hostServices` (so only the declarable names of core/src/plugin/host-services.ts).
   */
  readonly services?: Readonly<Record<string, unknown>>
  /**
   * Installed plugin packages, kept in `dir` (`<data-dir>/plugins`) and loaded after the built-ins. Without
   * it the `packages` service answers UNAVAILABLE. `hostModules`: the host's own `@atomiton/plugin-sdk` and
   * `zod`, lent to every package (see core/src/packages/host-modules.ts).
   */
  readonly packages?: {
    readonly dir: string
    readonly hostModules: HostModules
    /** Answer `npx atomiton plugin dev`'s reload requests (see core/src/packages/dev-reload.ts). Default off. */
    readonly devReload?: boolean
    /** How isolated packages' processes start (the built entry, limits); needed when `isolation` is `'process'`. */
    readonly process?: IsolationOptions
  }
  /**
   * Where installed packages run: each in its own process (`'process'`, the default when `packages` is
   * given: see core/src/isolation/), or in this process (`'in-process'`: tests of the installer, the CLI).
   */
  readonly isolation?: 'process' | 'in-process'
  /** Safe mode: only the required plugins start, and no installed package is loaded (each can still be removed). */
  readonly safeMode?: boolean
}

const noPackages: PackageService = {
  inspect: () => Promise.reject(new RpcError('UNAVAILABLE', 'This host does not install plugin packages')),
  install: () => Promise.reject(new RpcError('UNAVAILABLE', 'This host does not install plugin packages')),
  uninstall: () => Promise.reject(new RpcError('UNAVAILABLE', 'This host does not install plugin packages')),
  unloaded: () => [],
  listed: () => Promise.resolve(),
}

/** The host's container. Plugins never see it: each gets only the services it declared (host-services.ts). */
export interface HostCradle extends Omit<HostServices, 'pluginId'> {
  readonly container: AwilixContainer
  /** The host's own settings (the enabled set of plugins). */
  readonly settings: KeyValueStore
  readonly hooks: HostHooks
  readonly router: Router
  readonly eventBus: EventBus
  readonly extensions: ExtensionRegistry
  readonly pluginHost: PluginHost
  readonly pluginSettings: PluginSettingsService
  readonly packages: PackageService
  readonly routerConfig: RouterConfig
  readonly limits: ConnectionLimits
}

export interface Host {
  readonly container: AwilixContainer<HostCradle>
  readonly hooks: HostHooks
  readonly router: Router
  readonly eventBus: EventBus
  readonly extensions: ExtensionRegistry
  readonly plugins: PluginHost
  /** Installed plugin packages (when `options.packages` is given). */
  readonly packages: PackageManager | undefined
  /**
   * Settles when every installed package found at start is active or refused (they start in the
   * background, after `createHost` resolved). Never rejects; resolved at once without packages.
   */
  readonly packagesReady: Promise<void>
  /** The host's own identity, for calls made by main-process code. */
  readonly mainCaller: Caller
  /** Opens a connection for a transport peer (a window, a socket, an in-memory bridge). */
  connect(options: ConnectOptions): HostConnection
  /** How long until `caller` may call again under the rate limits (0: now); nothing is taken. */
  retryAfterMs(caller: Caller): number
  /** Calls a procedure in process; throws the RpcError it answers with. */
  call(method: string, params?: unknown, options?: CallOptions & { readonly caller?: Caller }): Promise<unknown>
  /** Closes every connection and disposes every plugin, then the container. Idempotent. */
  dispose(): Promise<void>
}

function defaultRuntime(overrides: Partial<RuntimeInfo> = {}): RuntimeInfo {
  return {
    appName: 'Atomiton',
    appVersion: '0.0.0',
    versions: { node: process.versions.node, v8: process.versions.v8 },
    platform: process.platform,
    arch: process.arch,
    mode: 'test',
    startedAt: Date.now(),
    memory: () => {
      const { rss, heapUsed, heapTotal } = process.memoryUsage()
      return { rss, heapUsed, heapTotal }
    },
    ...overrides,
  }
}

/**
 * A time limit option, checked at configuration (see `checkTimeLimit`): refused with a clear error.
 */
function timeLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  checkTimeLimit(name, value)
  return value
}

export async function createHost(options: HostOptions): Promise<Host> {
  const logger = options.logger ?? silentLogger
  const container = createContainer<HostCradle>({ injectionMode: InjectionMode.PROXY, strict: true })
  const routerConfig: RouterConfig = {
    defaultTimeoutMs: timeLimit('defaultTimeoutMs', options.defaultTimeoutMs, 30_000),
    validateOutput: options.validateOutput ?? process.env['NODE_ENV'] !== 'production',
    exposeErrors: options.exposeErrors ?? false,
  }
  container.register({
    container: asValue(container),
    logger: asValue(logger),
    clock: asValue(options.clock ?? { now: () => Date.now() }),
    stores: asValue(options.stores ?? createMemoryStoreFactory()),
    runtime: asValue(defaultRuntime(options.runtime)),
    settings: asFunction(({ stores }: HostCradle) => stores.open('settings')).singleton(),
    storeRecoveries: asFunction(({ stores }: HostCradle) => Object.freeze({ list: () => stores.recoveries })).singleton(),
    routerConfig: asValue(routerConfig),
    pluginHostConfig: asValue({
      disposeTimeoutMs: timeLimit('disposeTimeoutMs', options.disposeTimeoutMs, 5_000),
      activationTimeoutMs: timeLimit('activationTimeoutMs', options.activationTimeoutMs, 10_000),
    } satisfies PluginHostConfig),
    limits: asValue({ maxBatchSize: options.maxBatchSize ?? 1000 }),
    hooks: asFunction(createHostHooks).singleton(),
    router: asClass(Router).singleton(),
    eventBus: asClass(EventBus).singleton(),
    extensions: asClass(ExtensionRegistry).singleton(),
    pluginHost: asClass(PluginHost).singleton(),
    plugins: asFunction(({ pluginHost }: HostCradle) => pluginHost).singleton(),
    pluginSettings: asClass(PluginSettingsService).singleton(),
  })
  const builtinIds = options.plugins.map((plugin) => plugin.id)
  const isolation = options.packages && (options.isolation ?? 'process') === 'process' ? options.packages.process : undefined
  if (options.packages && (options.isolation ?? 'process') === 'process' && !isolation) {
    throw new TypeError("Installed packages run in their own process by default: give packages.process ({ entry: the built plugin process entry }), or isolation: 'in-process'")
  }
  container.register(
    'packages',
    options.packages
      ? asFunction(
          ({ pluginHost, stores, settings }: HostCradle) =>
            new PackageManager({
              pluginsDir: options.packages!.dir,
              hostModules: options.packages!.hostModules,
              stores,
              settings,
              builtinIds,
              live: pluginHost,
              logger,
              ...(isolation ? { isolation, loadTimeoutMs: timeLimit('activationTimeoutMs', options.activationTimeoutMs, 10_000) } : {}),
            }),
        ).singleton()
      : asValue(noPackages),
  )
  for (const [name, value] of Object.entries(options.services ?? {})) container.register(name, asValue(value))

  const { hooks, router, eventBus, extensions, pluginHost } = container.cradle
  // Procedures' own limits apply even when the per-caller-kind budgets are off.
  const rateLimitPolicy = options.rateLimit === false ? { renderer: false, plugin: false, main: false } as const : (options.rateLimit ?? defaultRateLimitPolicyFor(container.cradle.limits.maxBatchSize))
  const rateLimiter = new RateLimiter(rateLimitPolicy, container.cradle.clock)
  rateLimiter.install(hooks)
  if (options.logCalls ?? logger.isLevelEnabled('debug')) {
    hooks.callEnd.tap({ name: 'call-log', owner: 'host', stage: 100 }, (call, outcome) => {
      logger.debug(
        { method: call.method, caller: call.caller.id, ok: outcome.ok, code: outcome.error?.code, durationMs: outcome.durationMs },
        'call',
      )
    })
  }

  pluginHost.load([createHostDomain({ router, eventBus, listPlugins: () => pluginHost.list() }), ...options.plugins])
  await pluginHost.start({ requiredOnly: options.safeMode === true })
  const packages = options.packages ? (container.cradle.packages as PackageManager) : undefined
  // The host serves once the built-ins are active; installed packages are found, imported and activated
  // after that, in the background, so many packages do not delay the start: each is `starting` meanwhile
  // (`system.listPlugins` waits until the folder is read, so it lists them), and a call to one waits for
  // it (`router.awaitActivation`). A broken plugins folder must not keep the app from starting: the
  // built-ins serve, the error is logged.
  let packagesReady: Promise<void> = Promise.resolve()
  if (packages) {
    const loading = packages.loadInstalled({ safeMode: options.safeMode === true })
    router.awaitActivation = (domain) => packages.activation(domain)
    packagesReady = loading.ready.catch((error: unknown) => logger.error({ err: error }, 'Installed plugin packages could not be loaded'))
  }
  let devReload: Disposable | undefined
  if (packages && options.packages?.devReload && options.safeMode !== true) {
    devReload = await watchDevRequests(packages, (error) => logger.error({ err: error }, 'A plugin dev reload failed')).catch((error: unknown) => {
      logger.error({ err: error }, 'Plugin dev reloads are off')
      return undefined
    })
  }

  const mainCaller: Caller = Object.freeze({ id: 'main', kind: 'main', grants: options.mainGrants ?? ['*'] })
  const connections = new Set<HostConnection>()
  let disposed: Promise<void> | undefined

  return {
    container,
    hooks,
    router,
    eventBus,
    extensions,
    plugins: pluginHost,
    packages,
    packagesReady,
    mainCaller,
    connect(connectOptions) {
      const connection = new RpcConnection(connectOptions, { router, eventBus, hooks, logger, limits: container.cradle.limits })
      connections.add(connection)
      const close = connection.close.bind(connection)
      connection.close = (reason?: string) => {
        connections.delete(connection)
        close(reason)
      }
      return connection
    },
    retryAfterMs(caller) {
      return rateLimiter.waitMs(caller)
    },
    call(method, params, callOptions = {}) {
      const { caller = mainCaller, ...rest } = callOptions
      return router.call(caller, method, params, rest)
    },
    dispose() {
      return (disposed ??= (async () => {
        for (const connection of [...connections]) connection.close('host disposed')
        await devReload?.dispose()
        // Packages still starting: the one activating finishes first (the plugin host's queue), the others
        // are not started. Not awaited: disposal must stay quick (browser mode exits on a signal, and conf's
        // exit hook re-raises that signal), and the loader only reads and writes the plugins folder now.
        packages?.stopLoading()
        // stop() logs each plugin's failure and goes on; the container is disposed whatever happened.
        try {
          await pluginHost.stop()
        } finally {
          await container.dispose()
        }
      })())
    },
  }
}
