/**
 * Least privilege in process: which host services a plugin's scope may resolve.
 *
 * A plugin declares the host services it uses (`definePlugin({ hostServices: ['clock', 'stores'] })`); its
 * scope resolves exactly those (plus its `logger` and `pluginId`), and a guarded one only when the plugin's
 * `permissions` grant what this table names. Everything else the host holds (the router, the container, the
 * plugin host, the event bus, the hooks, the host's own settings) is never in a plugin's scope: resolving it,
 * or an undeclared or ungranted service, throws FORBIDDEN naming the plugin and the service. An installed
 * package never gets a guarded service, whatever its permissions say.
 */
import { RpcError } from '../common/errors'
import { isGranted } from '../host/caller'
import type { HostServiceName, HostServices, UndeclaredServices } from './context-types'

/** Administers the host: plugin management, every plugin's settings, packages. The system plugin holds it. */
export const HOST_ADMIN_PERMISSION = 'host.admin'
/** Reads every store repair of the host (the storage plugin's `recoveries()`). */
export const STORE_RECOVERIES_PERMISSION = 'host.storeRecoveries'

/** The permission each declarable host service needs: '' for none; `host.admin` also covers the others. */
export const HOST_SERVICE_PERMISSIONS: Readonly<Record<HostServiceName, string>> = Object.freeze({
  clock: '',
  stores: '',
  runtime: '',
  storeRecoveries: STORE_RECOVERIES_PERMISSION,
  plugins: HOST_ADMIN_PERMISSION,
  pluginSettings: HOST_ADMIN_PERMISSION,
  packages: HOST_ADMIN_PERMISSION,
})

/** What every plugin's scope holds without declaring: its own logger and id. */
export const UNDECLARED_SERVICE_NAMES: readonly (keyof UndeclaredServices)[] = Object.freeze(['logger', 'pluginId'])

export const HOST_SERVICE_NAMES: readonly HostServiceName[] = Object.freeze(Object.keys(HOST_SERVICE_PERMISSIONS) as HostServiceName[])

export function isHostServiceName(name: unknown): name is HostServiceName {
  return typeof name === 'string' && Object.hasOwn(HOST_SERVICE_PERMISSIONS, name)
}

/** Who is asking: a plugin's id, its granted permissions, and whether it is an installed package. */
export interface ServiceHolder {
  readonly id: string
  readonly permissions: readonly string[]
  readonly installed: boolean
}

/** True when the holder may hold `host.admin` (built-ins only). */
export function holdsHostAdmin(holder: ServiceHolder): boolean {
  return !holder.installed && isGranted(holder.permissions, HOST_ADMIN_PERMISSION)
}

/**
 * Why `holder` may not resolve host service `name` when it declared `declared`; undefined when it may.
 * `name` may be anything the container holds (`router`...): what is not declarable is always refused.
 */
export function serviceRefusal(holder: ServiceHolder, declared: readonly string[], name: string): RpcError | undefined {
  const refuse = (why: string) =>
    new RpcError('FORBIDDEN', `Plugin "${holder.id}" may not use the host service "${name}": ${why}`, { plugin: holder.id, service: name })
  if (!isHostServiceName(name)) return refuse('it is not a service plugins may declare (the host keeps it to itself)')
  if (!declared.includes(name)) return refuse(`the plugin did not declare it (definePlugin({ hostServices: ['${name}'] }))`)
  const permission = HOST_SERVICE_PERMISSIONS[name]
  if (permission === '') return undefined
  if (holder.installed) return refuse(`an installed package never gets "${permission}"`)
  if (isGranted(holder.permissions, permission) || isGranted(holder.permissions, HOST_ADMIN_PERMISSION)) return undefined
  return refuse(`it needs the permission "${permission}", which the plugin is not granted`)
}

type FacadeService = 'plugins' | 'pluginSettings' | 'packages'

/**
 * The methods a plugin gets of each administrative service: a facade with exactly the interface's methods,
 * never the host's object (the plugin host behind `plugins` can also replace and remove plugins and reach
 * every plugin's runtime; the package manager loads code). Typed so that a method added to an interface
 * must be added here.
 */
const FACADE_METHODS: { readonly [K in FacadeService]: Readonly<Record<keyof HostServices[K], true>> } = {
  plugins: { list: true, get: true, enable: true, disable: true },
  pluginSettings: { describe: true, set: true, reset: true, onChange: true },
  packages: { inspect: true, install: true, uninstall: true, unloaded: true, listed: true },
}

/** What a plugin gets of a granted host service `name` held by the host as `service`. */
export function facadeOf(name: string, service: unknown): unknown {
  if (!Object.hasOwn(FACADE_METHODS, name)) return service
  const target = service as Record<string, (...args: unknown[]) => unknown>
  const facade: Record<string, (...args: unknown[]) => unknown> = {}
  for (const method of Object.keys(FACADE_METHODS[name as FacadeService])) facade[method] = (...args) => target[method]!(...args)
  return Object.freeze(facade)
}
