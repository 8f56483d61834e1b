/**
 * A real temporary folder for tests of plugins that touch files (plugins cannot import `node:fs`): write,
 * read, make folders and symbolic links in it. Removed at the end of the test that created it.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { onTestFinished } from 'vitest'

export interface TempFolder {
  /** The folder's absolute real path (symbolic links in the temp path resolved). */
  readonly path: string
  /** The absolute path of `relative` inside the folder. */
  join(...relative: string[]): string
  write(relative: string, content: string | Uint8Array): string
  read(relative: string): string
  readBytes(relative: string): Uint8Array
  exists(relative: string): boolean
  mkdir(relative: string): string
  /** A symbolic link at `relative` pointing to `target` (absolute, anywhere). */
  symlink(target: string, relative: string): string
  /** Names in a subfolder, sorted. */
  list(relative?: string): string[]
  remove(): Promise<void>
}

export async function createTempFolder(prefix = 'atomiton-test-'): Promise<TempFolder> {
  const folder = await fs.promises.realpath(await fs.promises.mkdtemp(path.join(os.tmpdir(), prefix)))
  const join = (...relative: string[]): string => path.join(folder, ...relative)
  const remove = () => fs.promises.rm(folder, { recursive: true, force: true })
  try {
    onTestFinished(() => remove())
  } catch {
    // created outside a running test: the caller removes it
  }
  return {
    path: folder,
    join,
    write(relative, content) {
      const file = join(relative)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, content)
      return file
    },
    read: (relative) => fs.readFileSync(join(relative), 'utf8'),
    readBytes: (relative) => new Uint8Array(fs.readFileSync(join(relative))),
    exists: (relative) => fs.existsSync(join(relative)),
    mkdir(relative) {
      fs.mkdirSync(join(relative), { recursive: true })
      return join(relative)
    },
    symlink(target, relative) {
      fs.symlinkSync(target, join(relative))
      return join(relative)
    },
    list: (relative = '.') => fs.readdirSync(join(relative)).sort(),
    remove,
  }
}
