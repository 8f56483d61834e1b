/**
 * A temporary folder of real store files, for tests of data that must survive a restart or a damaged file.
 *
 *   const folder = await createStoreFolder()
 *   const first = await createTestHost({ plugins, stores: folder.stores() })
 *   // ... write, dispose, then start a second host on the same files:
 *   const second = await createTestHost({ plugins, stores: folder.stores() })
 *
 * `stores()` is the plain-Node file backend (`conf`), the one browser mode uses; each call is a new
 * factory, as a restarted host would open. Plugins cannot import `node:fs`, so the folder also reads and
 * writes the store files by hand (to damage one, or to check what reached the disk). The folder is
 * removed at the end of the test that created it.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { onTestFinished } from 'vitest'
import { createConfStoreFactory } from '@atomiton/core/host/stores/conf-store'
import type { StoreFactory, StoreLogger } from '@atomiton/core/host/stores/key-value-store'

export interface StoreFolder {
  /** The folder's absolute path. */
  readonly directory: string
  /** A new file-backed store factory on the folder (a host restarting opens a new one). */
  stores(options?: { readonly logger?: StoreLogger }): StoreFactory
  /** The file of store `name`: `<directory>/<name>.json`. */
  file(name: string): string
  /** The raw text of store `name`'s file; undefined when there is none. */
  read(name: string): string | undefined
  /** Replaces store `name`'s file with `text`, as a person editing it by hand would (or a crash). */
  write(name: string, text: string | Uint8Array): void
  /** The file names in the folder, sorted (backups of damaged files show up here). */
  files(): string[]
  /** The raw text of a file of the folder, by file name (e.g. a backup `files()` listed). */
  readFile(fileName: string): string
  /** Removes the folder; done by itself at the end of the test that created it. */
  remove(): Promise<void>
}

export async function createStoreFolder(): Promise<StoreFolder> {
  const directory = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'atomiton-test-stores-'))
  const file = (name: string): string => path.join(directory, `${name}.json`)
  const inside = (fileName: string): string => {
    const resolved = path.resolve(directory, fileName)
    if (path.dirname(resolved) !== directory) throw new TypeError(`${JSON.stringify(fileName)} is not a file of the store folder`)
    return resolved
  }
  const remove = () => fs.promises.rm(directory, { recursive: true, force: true })
  try {
    onTestFinished(() => remove())
  } catch {
    // Created outside a running test (e.g. in beforeAll): the caller removes it.
  }
  return {
    directory,
    stores: (options = {}) => createConfStoreFactory({ directory, ...(options.logger ? { logger: options.logger } : {}) }),
    file,
    read(name) {
      try {
        return fs.readFileSync(file(name), 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
    },
    write: (name, text) => fs.writeFileSync(file(name), text),
    files: () => fs.readdirSync(directory).sort(),
    readFile: (fileName) => fs.readFileSync(inside(fileName), 'utf8'),
    remove,
  }
}
