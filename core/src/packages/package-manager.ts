/**
 * The one implementation of installed plugin packages: inspect (stage + validate), install or upgrade,
 * uninstall, and loading what is installed when the host starts. Its faces are the `system` plugin's
 * procedures (through the host service `packages`) and the CLI (`npx atomiton plugin ...`, which uses it
 * without a running host: files only).
 *
 * On disk, under `<data-dir>/plugins/`:
 *   <id>/              an installed package (its `package.json` and built files)
 *   .staging/<uuid>/   packages being inspected, waiting for approval
 *   .previous/<id>/    the old version during an upgrade (restored if the upgrade fails, even after a crash)
 *   .trash/            what is being deleted
 *   node_modules/      the host's shims of `@atomiton/plugin-sdk` and `zod` (see host-modules.ts)
 *
 * Install is atomic: the package is unpacked into staging, validated (manifest, API range, id, entry import,
 * definition), and only then renamed into place; a rename is atomic on one file system. An upgrade moves the
 * old folder aside first and the plugin host swaps the definitions (old deactivated, new activated); when
 * anything fails the new folder is removed, the old one renamed back, and the old version keeps running.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { RpcError } from '../common/errors'
import { silentLogger, type Logger } from '../host/logger'
import type { KeyValueStore, StoreFactory } from '../host/stores/key-value-store'
import type { AnyPluginDefinition } from '../plugin/definition'
import type {
  InstallRequest,
  InstallResult,
  PackageInspection,
  PackageService,
  PackageSourceInput,
  UninstallRequest,
  UninstallResult,
} from '../plugin/package-service'
import type { PluginInfo, PluginState } from '../plugin/plugin-info'
import type { PluginSource } from '../plugin/plugin-host'
import { provideHostModules, type HostModules } from './host-modules'
import { loadPackageEntry, type LoadedPackage } from './load-entry'
import { labelOf, messageOf, readManifest, type PackageManifest } from './manifest'
import { packageRefused, ruleOf } from './package-error'
import { deletePackageData, packageStores } from './package-stores'
import { copyFolder, unpackArchive } from './staging'
import { IsolatedPlugin, isolatedDataDir, type IsolationOptions } from '../isolation/isolated-plugin'

/** The part of the plugin host the installer drives (absent in the CLI: then only files change). */
export interface LivePlugins {
  get(id: string): PluginInfo | undefined
  add(definition: AnyPluginDefinition, source: PluginSource): Promise<PluginInfo>
  replace(definition: AnyPluginDefinition, source: PluginSource): Promise<PluginInfo>
  remove(id: string): Promise<unknown>
}

export interface PackageManagerOptions {
  /** `<data-dir>/plugins` */
  readonly pluginsDir: string
  /** The host's own copies of what packages import (`@atomiton/plugin-sdk`, `zod`). */
  readonly hostModules: HostModules
  /** The host's stores: packages get a prefixed view; their data is deleted here on request. */
  readonly stores: StoreFactory
  /** The host's settings store (records which stores each package opened). */
  readonly settings: KeyValueStore
  /** Ids of the built-in plugins (taken). */
  readonly builtinIds: readonly string[]
  readonly live?: LivePlugins
  readonly logger?: Pick<Logger, 'info' | 'warn' | 'error'>
  /** Most packages staged and not yet installed at once; the oldest is discarded beyond it. Default 8. */
  readonly maxStaged?: number
  /**
   * Run each package in its own process (core/src/isolation/): it is imported there, never in this
   * process, also when inspected. Without it packages are imported and run in process.
   */
  readonly isolation?: IsolationOptions
  /** Time box for importing a package in its process (an import that loops for ever). Default 10 s. */
  readonly loadTimeoutMs?: number
}

/** An installed package as found on disk. */
export interface InstalledPackage {
  readonly id: string
  readonly folder: string
  readonly manifest: PackageManifest | undefined
  /** Why it cannot be loaded (its manifest), when it cannot. */
  readonly error?: RpcError
}

interface Staged {
  readonly stagingId: string
  readonly folder: string
  readonly packageDir: string
  readonly manifest: PackageManifest
  readonly label: string
  readonly current: PackageManifest | undefined
}

export class PackageManager implements PackageService {
  readonly pluginsDir: string
  readonly #options: PackageManagerOptions
  readonly #staged = new Map<string, Staged>()
  readonly #unloaded = new Map<string, PluginInfo>()
  #queue: Promise<unknown> = Promise.resolve()
  #prepared: Promise<void> | undefined
  /** Packages listed at start and not yet active or refused (see `loadInstalled`). */
  readonly #starting = new Map<string, { readonly info: PluginInfo; readonly settled: Promise<RpcError | undefined>; settle(refusal: RpcError | undefined): void }>()
  #stopping = false
  #listed: Promise<void> = Promise.resolve()
  /** While `loadInstalled` reads the plugins folder. */
  #listing: Promise<void> | undefined

  constructor(options: PackageManagerOptions) {
    this.#options = options
    this.pluginsDir = options.pluginsDir
  }

  // ------------------------------------------------------------------------------------------------ inspect

  async inspect(source: PackageSourceInput): Promise<PackageInspection> {
    await this.#prepare()
    const stagingId = randomUUID()
    const folder = join(this.pluginsDir, '.staging', stagingId)
    const packageDir = join(folder, 'package')
    const fallback = source.folder !== undefined ? `"${String(source.folder)}"` : 'the uploaded archive'
    try {
      if (source.archive instanceof Uint8Array && source.folder === undefined) await unpackArchive(source.archive, packageDir, fallback)
      else if (typeof source.folder === 'string' && source.archive === undefined) await copyFolder(source.folder, packageDir, fallback)
      else throw packageRefused(fallback, 'source', 'give either an archive or a folder')
      const manifest = await readManifest(packageDir, fallback)
      const label = labelOf(manifest, fallback)
      const current = await this.#checkId(manifest, label)
      const loaded = await this.#load(manifest, label, packageDir)
      // Inspecting only describes it: its process (when isolated) is not kept.
      await loaded.plugin?.stop()
      this.#checkDependencies(loaded.definition, label)
      this.#remember({ stagingId, folder, packageDir, manifest, label, current })
      const previous = new Set(current?.permissions ?? [])
      const next = new Set(manifest.permissions)
      return {
        stagingId,
        id: manifest.id,
        name: manifest.name,
        version: manifest.version,
        description: manifest.description,
        apiRange: manifest.apiRange,
        permissions: [...manifest.permissions],
        ...(loaded.settingsSchema ? { settingsSchema: loaded.settingsSchema } : {}),
        ...(current ? { current: { version: current.version, permissions: [...current.permissions] } } : {}),
        addedPermissions: current ? manifest.permissions.filter((p) => !previous.has(p)) : [],
        removedPermissions: current ? current.permissions.filter((p) => !next.has(p)) : [],
      }
    } catch (error) {
      await rm(folder, { recursive: true, force: true })
      await rm(`${packageDir}.tgz`, { force: true })
      throw error
    }
  }

  /** Drops a staged package that will not be installed. */
  async discard(stagingId: string): Promise<void> {
    const staged = this.#staged.get(stagingId)
    this.#staged.delete(stagingId)
    if (staged) await rm(staged.folder, { recursive: true, force: true })
  }

  // ------------------------------------------------------------------------------------------------ install

  install(request: InstallRequest): Promise<InstallResult> {
    return this.#serial(async () => {
      await this.#prepare()
      const staged = this.#staged.get(request.stagingId)
      if (!staged) throw packageRefused(`staging "${String(request.stagingId)}"`, 'staging-unknown', 'inspect the package first (or it was installed already)', 'NOT_FOUND')
      const approved = [...new Set(request.approvedPermissions)].sort()
      if (approved.join('\n') !== staged.manifest.permissions.join('\n')) {
        throw packageRefused(
          staged.label,
          'permissions-not-approved',
          `it requests [${staged.manifest.permissions.join(', ')}]; approved were [${approved.join(', ')}]`,
          'FORBIDDEN',
        )
      }
      this.#staged.delete(staged.stagingId)
      try {
        return await this.#moveIntoPlace(staged)
      } finally {
        await rm(staged.folder, { recursive: true, force: true })
      }
    })
  }

  async #moveIntoPlace(staged: Staged): Promise<InstallResult> {
    const { manifest, label } = staged
    const current = await this.#checkId(manifest, label)
    const target = join(this.pluginsDir, manifest.id)
    const previous = join(this.pluginsDir, '.previous', manifest.id)
    const hadPrevious = await exists(target)
    if (hadPrevious) {
      await mkdir(join(this.pluginsDir, '.previous'), { recursive: true })
      await rm(previous, { recursive: true, force: true })
      await rename(target, previous)
    }
    try {
      await rename(staged.packageDir, target)
      const state = await this.#activateInstalled(manifest.id, target, label, current !== undefined)
      await rm(previous, { recursive: true, force: true })
      this.#unloaded.delete(manifest.id)
      this.#options.logger?.info({ plugin: manifest.id, version: manifest.version, upgradedFrom: current?.version }, 'Plugin package installed')
      return { id: manifest.id, version: manifest.version, state, ...(current ? { upgradedFrom: current.version } : {}) }
    } catch (error) {
      await rm(target, { recursive: true, force: true })
      if (hadPrevious) await rename(previous, target)
      throw error
    }
  }

  /**
   * Imports a package: in process, or in its own process (isolated: then `plugin` is the host side of it,
   * with its process running until it is activated or stopped).
   */
  async #load(manifest: PackageManifest, label: string, folder: string): Promise<LoadedPackage & { readonly plugin?: IsolatedPlugin }> {
    const isolation = this.#options.isolation
    if (!isolation) return loadPackageEntry(manifest, label)
    const plugin = new IsolatedPlugin({
      manifest,
      label,
      folder,
      sharedModulesDir: join(this.pluginsDir, 'node_modules'),
      dataDir: isolatedDataDir(this.pluginsDir, manifest.id),
      logger: fullLogger(this.#options.logger),
      isolation,
    })
    try {
      return { ...(await plugin.load(this.#options.loadTimeoutMs ?? 10_000)), plugin }
    } catch (error) {
      await plugin.stop()
      if (error instanceof RpcError && error.message.startsWith(`Package ${label} refused`)) throw error
      throw packageRefused(label, 'entry-import', `its entry could not be loaded in its process (${messageOf(error)})`)
    }
  }

  /** Adds (or replaces) a loaded package in the running host; an isolated one not left active has its process ended. */
  async #addLive(loaded: LoadedPackage & { readonly plugin?: IsolatedPlugin }, source: PluginSource, replace: boolean): Promise<PluginInfo> {
    const live = this.#options.live!
    try {
      const info = replace ? await live.replace(loaded.definition, source) : await live.add(loaded.definition, source)
      if (info.state !== 'active') await loaded.plugin?.stop()
      return info
    } catch (error) {
      await loaded.plugin?.stop()
      throw error
    }
  }

  /** Loads the package in the running host (add, or replace for an upgrade). Without a host: validated at inspect. */
  async #activateInstalled(id: string, folder: string, label: string, upgrade: boolean): Promise<PluginState> {
    const live = this.#options.live
    if (!live) return 'inactive'
    const manifest = await readManifest(folder, label)
    const loaded = await this.#load(manifest, label, folder)
    const info = await this.#addLive(loaded, this.#sourceOf(id, folder, loaded.plugin), upgrade && live.get(id) !== undefined)
    return info.state
  }

  #sourceOf(id: string, folder: string, isolated: IsolatedPlugin | undefined): PluginSource {
    if (isolated) return { origin: 'installed', folder, isolated }
    return { origin: 'installed', folder, services: { stores: packageStores(id, this.#options.stores, this.#options.settings) } }
  }

  // ------------------------------------------------------------------------------------------------ uninstall

  uninstall(request: UninstallRequest): Promise<UninstallResult> {
    return this.#serial(async () => {
      await this.#prepare()
      const { id } = request
      if (typeof id !== 'string' || !/^[a-z][a-zA-Z0-9]*$/.test(id)) throw packageRefused(`"${String(id)}"`, 'not-installed', 'not a plugin id', 'NOT_FOUND')
      if (this.#options.builtinIds.includes(id)) {
        throw packageRefused(`"${id}"`, 'not-installed', 'it is a built-in plugin, not an installed package', 'CONFLICT')
      }
      const target = join(this.pluginsDir, id)
      const live = this.#options.live
      const loaded = live?.get(id)
      if (!loaded && !(await exists(target))) throw packageRefused(`"${id}"`, 'not-installed', 'no package with this id is installed', 'NOT_FOUND')
      if (loaded && live) await live.remove(id)
      if (await exists(target)) {
        const trash = join(this.pluginsDir, '.trash', `${id}-${randomUUID()}`)
        await mkdir(join(this.pluginsDir, '.trash'), { recursive: true })
        await rename(target, trash)
        await rm(trash, { recursive: true, force: true })
      }
      this.#unloaded.delete(id)
      const dataDeleted = request.deleteData === true
      if (dataDeleted) {
        deletePackageData(id, this.#options.stores, this.#options.settings)
        await rm(isolatedDataDir(this.pluginsDir, id), { recursive: true, force: true })
      }
      this.#options.logger?.info({ plugin: id, dataDeleted }, 'Plugin package uninstalled')
      return { id, removed: true, dataDeleted }
    })
  }

  // ------------------------------------------------------------------------------------------------ start

  /** Every package folder with its manifest (or why it cannot be read). Reads files only; imports nothing. */
  async installed(): Promise<InstalledPackage[]> {
    await this.#prepare()
    const names = (await readdir(this.pluginsDir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
      .map((entry) => entry.name)
      .sort()
    return Promise.all(
      names.map(async (name): Promise<InstalledPackage> => {
        const folder = join(this.pluginsDir, name)
        try {
          const manifest = await readManifest(folder, `"${name}"`)
          if (manifest.id !== name) {
            throw packageRefused(labelOf(manifest, name), 'manifest', `it is in the folder "${name}" but its atomiton.id is "${manifest.id}"`)
          }
          return { id: name, folder, manifest }
        } catch (error) {
          return { id: name, folder, manifest: undefined, error: asRpcError(error) }
        }
      }),
    )
  }

  /**
   * Loads every installed package into the running host, after the built-ins, in dependency order. A package
   * that is refused is listed by `unloaded()` with its error; the others load. `safeMode`: none is imported.
   *
   * Two steps, so a host can serve before its packages are up: `listed` settles once the manifests are read
   * (each package is then `starting` in `unloaded()`, and `activation(id)` tells when it is up); `ready`
   * settles once every package is active or refused. Only WHEN activation happens is decided here; HOW a
   * package is activated is the plugin host's (`live.add`).
   */
  loadInstalled(options: { readonly safeMode?: boolean } = {}): { readonly listed: Promise<void>; readonly ready: Promise<void> } {
    let announce!: () => void
    const announced = new Promise<void>((resolve) => (announce = resolve))
    const listing = announced.then(() => {
      if (this.#listing === listing) this.#listing = undefined
    })
    this.#listing = listing
    const ready = this.#serial(async () => {
      try {
        await this.#loadInstalled(options, announce)
      } finally {
        announce()
        for (const id of [...this.#starting.keys()]) this.#settle(id, new RpcError('UNAVAILABLE', `Plugin package "${id}" was not started (the host is stopping)`, { plugin: id }))
      }
    })
    this.#listed = Promise.race([announced, ready]).catch(() => undefined)
    return { listed: this.#listed, ready }
  }

  listed(): Promise<void> {
    return this.#listed
  }

  /**
   * While installed packages load: a promise that settles when package `id` is active (undefined) or was
   * refused (its refusal); undefined when `id` is not a package being loaded.
   */
  activation(id: string): Promise<RpcError | undefined> | undefined {
    const starting = this.#starting.get(id)
    if (starting !== undefined || this.#listing === undefined) return starting?.settled
    // Still reading the plugins folder: whether `id` is a package is known once it is read.
    return this.#listing.then(() => this.#starting.get(id)?.settled)
  }

  /** Stops loading installed packages: the one being activated finishes, the rest are not loaded (host disposal). */
  stopLoading(): void {
    this.#stopping = true
  }

  async #loadInstalled(options: { readonly safeMode?: boolean }, announce: () => void): Promise<void> {
    const live = this.#options.live
    if (!live) throw new Error('loadInstalled needs a running plugin host')
    const found = await this.installed()
    const candidates: { id: string; folder: string; manifest: PackageManifest; label: string }[] = []
    for (const { id, folder, manifest, error } of found) {
      if (!manifest) this.#refuse(id, folder, undefined, error!)
      else if (options.safeMode) {
        this.#unloaded.set(id, unloadedInfo(id, folder, manifest, 'disabled', { code: 'SAFE_MODE', message: 'Safe mode: installed packages are not loaded' }))
      } else {
        const label = labelOf(manifest, id)
        if (this.#options.builtinIds.includes(id)) this.#refuse(id, folder, manifest, packageRefused(label, 'id-taken', `"${id}" is a built-in plugin`, 'CONFLICT'))
        else {
          candidates.push({ id, folder, manifest, label })
          this.#startingNow(id, folder, manifest)
        }
      }
    }
    announce()
    // Every entry is imported at once (the imports overlap their file reads); activation follows, in order.
    const imported = await Promise.all(
      candidates.map(async (candidate) => {
        try {
          return { ...candidate, loaded: await this.#load(candidate.manifest, candidate.label, candidate.folder) }
        } catch (refusal) {
          this.#refuse(candidate.id, candidate.folder, candidate.manifest, refusal)
          return undefined
        }
      }),
    )
    // Dependency order: add whatever has its dependencies loaded, until nothing more can be added.
    let pending = imported.filter((candidate) => candidate !== undefined).sort((a, b) => a.id.localeCompare(b.id))
    for (let progress = true; progress && pending.length > 0 && !this.#stopping; ) {
      progress = false
      const next: typeof pending = []
      for (const candidate of pending) {
        if (this.#stopping || !candidate.loaded.definition.dependencies.every((dependency) => live.get(dependency) !== undefined)) {
          next.push(candidate)
          continue
        }
        progress = true
        try {
          await this.#addLive(candidate.loaded, this.#sourceOf(candidate.id, candidate.folder, candidate.loaded.plugin), false)
          this.#settle(candidate.id)
        } catch (refusal) {
          this.#refuse(candidate.id, candidate.folder, candidate.manifest, refusal)
        }
      }
      pending = next
    }
    // Processes started for packages that will not be added (isolated ones) stop here.
    for (const candidate of pending) await candidate.loaded.plugin?.stop()
    if (this.#stopping) return
    for (const candidate of pending) {
      const missing = candidate.loaded.definition.dependencies.filter((dependency) => live.get(dependency) === undefined)
      this.#refuse(candidate.id, candidate.folder, candidate.manifest, packageRefused(candidate.label, 'missing-dependency', `it depends on ${missing.map((m) => `"${m}"`).join(', ')}, which is not loaded`, 'CONFLICT'))
    }
  }

  #startingNow(id: string, folder: string, manifest: PackageManifest): void {
    let settle!: (refusal: RpcError | undefined) => void
    const settled = new Promise<RpcError | undefined>((resolve) => (settle = resolve))
    this.#starting.set(id, { info: unloadedInfo(id, folder, manifest, 'starting', undefined), settled, settle })
  }

  #settle(id: string, refusal?: RpcError): void {
    this.#starting.get(id)?.settle(refusal)
    this.#starting.delete(id)
  }

  unloaded(): readonly PluginInfo[] {
    const live = this.#options.live
    // A package being activated is already in the plugin host (`starting` there too): listed once.
    const starting = [...this.#starting.values()].filter(({ info }) => live?.get(info.id) === undefined).map(({ info }) => info)
    return [...this.#unloaded.values(), ...starting]
  }

  // ------------------------------------------------------------------------------------------------ helpers

  #refuse(id: string, folder: string, manifest: PackageManifest | undefined, error: unknown): void {
    const rpcError = asRpcError(error)
    this.#options.logger?.error({ plugin: id, folder, rule: ruleOf(rpcError), err: rpcError }, 'Plugin package refused')
    this.#unloaded.set(id, unloadedInfo(id, folder, manifest, 'failed', { code: ruleOf(rpcError) ?? rpcError.code, message: rpcError.message }))
    this.#settle(id, new RpcError('UNAVAILABLE', `Plugin package "${id}" could not be started: ${rpcError.message}`, { plugin: id, rule: ruleOf(rpcError) }))
  }

  /** Refuses an id taken by a built-in or by a different package; returns the installed manifest it would upgrade. */
  async #checkId(manifest: PackageManifest, label: string): Promise<PackageManifest | undefined> {
    const { id } = manifest
    if (this.#options.builtinIds.includes(id) || this.#options.live?.get(id)?.origin === 'builtin') {
      throw packageRefused(label, 'id-taken', `"${id}" is the id of a built-in plugin`, 'CONFLICT')
    }
    const target = join(this.pluginsDir, id)
    if (!(await exists(target))) return undefined
    const current = await readManifest(target, `"${id}"`).catch(() => undefined)
    if (current && current.name !== manifest.name) {
      throw packageRefused(label, 'id-taken', `"${id}" is the id of the installed package ${current.name}@${current.version}`, 'CONFLICT')
    }
    return current
  }

  #checkDependencies(definition: AnyPluginDefinition, label: string): void {
    const known = (id: string): boolean =>
      this.#options.builtinIds.includes(id) || this.#options.live?.get(id) !== undefined
    const missing = definition.dependencies.filter((dependency) => !known(dependency))
    if (missing.length > 0 && this.#options.live) {
      throw packageRefused(label, 'missing-dependency', `it depends on ${missing.map((m) => `"${m}"`).join(', ')}, which is not loaded`, 'CONFLICT')
    }
  }

  #remember(staged: Staged): void {
    this.#staged.set(staged.stagingId, staged)
    const max = this.#options.maxStaged ?? 8
    for (const stagingId of [...this.#staged.keys()].slice(0, Math.max(0, this.#staged.size - max))) void this.discard(stagingId)
  }

  /** Creates the folders, writes the host module shims, recovers an interrupted upgrade, clears leftovers. */
  #prepare(): Promise<void> {
    return (this.#prepared ??= (async () => {
      await mkdir(this.pluginsDir, { recursive: true })
      // Independent of each other: done at once (each file operation waits on the disk, not on the others).
      const previousDir = join(this.pluginsDir, '.previous')
      const recoverUpgrades = async (): Promise<void> => {
        for (const id of await readdir(previousDir).catch(() => [] as string[])) {
          const target = join(this.pluginsDir, id)
          if (await exists(target)) await rm(join(previousDir, id), { recursive: true, force: true })
          else await rename(join(previousDir, id), target)
        }
      }
      await Promise.all([
        provideHostModules(this.pluginsDir, this.#options.hostModules),
        recoverUpgrades(),
        rm(join(this.pluginsDir, '.staging'), { recursive: true, force: true }),
        rm(join(this.pluginsDir, '.trash'), { recursive: true, force: true }),
      ])
    })())
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task)
    this.#queue = run.catch(() => undefined)
    return run
  }
}

/** The logger for isolated plugins' lines: the host's (a CLI gives a partial one: then nothing is logged). */
function fullLogger(logger: PackageManagerOptions['logger']): Logger {
  return logger && 'child' in logger && typeof logger.child === 'function' ? (logger as Logger) : silentLogger
}

function unloadedInfo(id: string, folder: string, manifest: PackageManifest | undefined, state: PluginState, error: { code: string; message: string } | undefined): PluginInfo {
  return {
    id,
    version: manifest?.version ?? '',
    description: manifest?.description ?? '',
    state,
    ...(error ? { error } : {}),
    required: false,
    // Its definition never loaded, so its settings schema is unknown.
    hasSettings: false,
    dependencies: [],
    dependents: [],
    origin: 'installed',
    folder,
    permissions: manifest?.permissions ?? [],
  }
}

function asRpcError(error: unknown): RpcError {
  return error instanceof RpcError ? error : new RpcError('INTERNAL', messageOf(error))
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

