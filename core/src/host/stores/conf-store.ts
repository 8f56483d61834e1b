/**
 * The file backends: one JSON file per store, `<directory>/<name>.json`, written through `conf` (plain
 * Node: browser mode, tests on real files) or electron-store (inside Electron, which extends conf with
 * the same options; see `app/main/electron-store-backend.ts`). Everything but the constructor call is
 * shared: `createConfLikeStoreFactory` takes a function that opens a conf-like object for a name.
 *
 * The file is a JSON object, one member per key (keys are flat: `accessPropertiesByDotNotation` is off),
 * each holding devalue's JSON for the value (see codec.ts):
 *
 *     { "theme": ["dark"], "window.size": [{"width": 1, "height": 2}, 800, 600] }
 *
 * Opening a store reads and checks the file before conf does. A file that is not UTF-8, not JSON, not a
 * JSON object, or has entries that do not decode, is copied aside byte for byte
 * (`<name>.corrupt-<timestamp>.json`), replaced atomically by every entry that still decodes, recorded
 * in `factory.recoveries` and logged at warn. conf's `clearInvalidConfig` is never used.
 *
 * A file cut short by a disk error keeps its whole members, and the recovery names the keys it lost.
 *
 * Entries are kept in memory once loaded: reads never touch the disk, and each write replaces the whole
 * file atomically (setMany, deleteMany and clear are one write): a temporary file next to it, flushed,
 * then renamed over it (`replaceFileAtomically`), on every platform. Not through `conf.store = ...`:
 * conf writes the file in place, non-atomically, under Snap (`SNAP` set) and after an EXDEV error, and a
 * process killed during such a write left a truncated file (measured: acknowledged writes lost). conf
 * (or electron-store) still decides where the file lives. Temporary files of writes interrupted by a
 * crash are removed when the store opens.
 *
 * A store file is owned by one factory in one process: edits made to it by hand while the store is open
 * are overwritten by the next write. No migrations are run (conf's are not used; own them here if needed).
 */
import path from 'node:path'
import Conf from 'conf'
import { assertStoreName, EncodedKeyValueStore } from './encoded-store'
import type { KeyValueStore, StoreFactory, StoreLogger, StoreRecovery } from './key-value-store'
import fs from 'node:fs'
import { formatStoreFile, keepBackup, loadStoreFile, removeLeftoverTemporaries, replaceFileAtomically, serializeStoreFile } from './store-file'

/** What the file backends need from conf (or electron-store): where the file lives. */
export interface ConfLike {
  readonly path: string
}

/** Opens the conf-like object for store `name`, using `confOptions(directory)` plus its own name option. */
export type OpenConfLike = (name: string) => ConfLike

export interface FileStoreFactoryOptions {
  /** Absolute folder holding the store files (created when missing). */
  readonly directory: string
  /** Receives a warn for every recovery. */
  readonly logger?: StoreLogger
}

/**
 * The options conf and electron-store share (electron-store only renames `configName` to `name`).
 * `accessPropertiesByDotNotation: false` keeps dotted keys flat; `clearInvalidConfig: false` because a
 * damaged file is handled before conf reads it; no watcher (the store is the file's only writer).
 */
export function confOptions(directory: string) {
  return {
    cwd: directory,
    fileExtension: 'json',
    accessPropertiesByDotNotation: false,
    clearInvalidConfig: false,
    watch: false,
  } as const
}

export function createConfLikeStoreFactory(options: FileStoreFactoryOptions, openConfLike: OpenConfLike): StoreFactory {
  const { directory, logger } = options
  if (typeof directory !== 'string' || !path.isAbsolute(directory)) {
    // conf resolves a relative cwd against the process's cwd, electron-store against userData: refuse both.
    throw new TypeError(`The store directory must be an absolute path, got ${JSON.stringify(directory)}`)
  }
  const stores = new Map<string, KeyValueStore>()
  const recoveries: StoreRecovery[] = []

  function open(name: string): KeyValueStore {
    assertStoreName(name)
    const existing = stores.get(name)
    if (existing !== undefined) return existing

    const file = path.join(directory, `${name}.json`)
    const leftovers = removeLeftoverTemporaries(file)
    if (leftovers.length > 0) logger?.warn({ store: name, removed: leftovers }, `Store "${name}": removed ${leftovers.length} temporary files left by interrupted writes`)
    const loaded = loadStoreFile(file)
    if (loaded.problems.length > 0 && loaded.raw !== undefined) {
      const backupFile = keepBackup(file, name, loaded.raw)
      replaceFileAtomically(file, formatStoreFile(serializeStoreFile(loaded.entries, loaded.reserved)))
      const recovery: StoreRecovery = {
        store: name,
        file,
        backupFile,
        reason: loaded.problems.join('; '),
        salvagedKeys: loaded.entries.size,
        lostKeys: loaded.lostKeys,
      }
      recoveries.push(recovery)
      logger?.warn(
        { recovery },
        `Store "${name}": the file was damaged; kept a copy at ${backupFile} and went on with ${recovery.salvagedKeys} salvaged entries`,
      )
    }

    const conf = openConfLike(name)
    if (path.resolve(conf.path) !== file) {
      throw new Error(`Store "${name}": the backend opened ${conf.path} instead of ${file}`)
    }
    const { reserved } = loaded
    const store = new EncodedKeyValueStore(name, loaded.entries, (entries) => {
      fs.mkdirSync(directory, { recursive: true })
      replaceFileAtomically(file, formatStoreFile(serializeStoreFile(entries, reserved)))
    })
    stores.set(name, store)
    return store
  }

  return { open, recoveries }
}

/** The file backend on `conf`, for plain Node. */
export function createConfStoreFactory(options: FileStoreFactoryOptions): StoreFactory {
  return createConfLikeStoreFactory(options, (name) => new Conf({ ...confOptions(options.directory), configName: name }))
}
