/**
 * Puts a package's files into a staging folder, from a `.tgz` made by `npm pack` or from a folder.
 *
 * Archives are read with `tar` (node-tar, npm's own implementation: it refuses absolute paths and `..`,
 * never follows links out of the target), never through a shell. On top of it, every entry must be a file or
 * a folder under `package/` (no links, no devices), and the total unpacked size and entry count are bounded.
 * A folder is copied without its `node_modules` and `.git`; a symbolic link inside is refused.
 */
import { cp, lstat, mkdir, stat, writeFile } from 'node:fs/promises'
import { basename, isAbsolute } from 'node:path'
import * as tar from 'tar'
import { messageOf } from './manifest'
import { packageRefused } from './package-error'

export interface StagingLimits {
  /** Sum of the unpacked files' sizes. */
  readonly maxUnpackedBytes: number
  readonly maxEntries: number
}

export const DEFAULT_STAGING_LIMITS: StagingLimits = { maxUnpackedBytes: 200 * 1024 * 1024, maxEntries: 20_000 }

/** Unpacks an `npm pack` tarball (its `package/` folder) into `into` (created). */
export async function unpackArchive(archive: Uint8Array, into: string, label: string, limits: StagingLimits = DEFAULT_STAGING_LIMITS): Promise<void> {
  await mkdir(into, { recursive: true })
  const file = `${into}.tgz`
  await writeFile(file, archive)
  let problem: string | undefined
  let bytes = 0
  let entries = 0
  try {
    await tar.x({
      file,
      cwd: into,
      strip: 1,
      strict: true,
      noChmod: true,
      preserveOwner: false,
      filter: (path, entry) => {
        if (problem) return false
        const type = 'type' in entry ? entry.type : entry.isDirectory() ? 'Directory' : 'File'
        entries += 1
        bytes += entry.size ?? 0
        if (!path.startsWith('package/')) problem = `"${path}" is outside package/ (not an npm pack tarball)`
        else if (type !== 'File' && type !== 'OldFile' && type !== 'Directory') problem = `"${path}" is a ${type}: only files and folders are allowed`
        else if (entries > limits.maxEntries) problem = `more than ${limits.maxEntries} entries`
        else if (bytes > limits.maxUnpackedBytes) problem = `more than ${limits.maxUnpackedBytes} bytes unpacked`
        return problem === undefined
      },
    })
  } catch (error) {
    throw packageRefused(label, 'archive', `the archive cannot be unpacked (${messageOf(error)})`)
  }
  if (problem) throw packageRefused(label, 'archive', problem)
}

const SKIPPED = new Set(['node_modules', '.git'])

/** Copies a package folder (an absolute path) into `into`, without node_modules and .git. */
export async function copyFolder(folder: string, into: string, label: string): Promise<void> {
  if (!isAbsolute(folder)) throw packageRefused(label, 'source', `"${folder}" is not an absolute path`)
  const stats = await stat(folder).catch(() => undefined)
  if (!stats?.isDirectory()) throw packageRefused(label, 'source', `"${folder}" is not a folder`)
  let link: string | undefined
  await cp(folder, into, {
    recursive: true,
    filter: async (source) => {
      if (source !== folder && SKIPPED.has(basename(source))) return false
      if ((await lstat(source)).isSymbolicLink()) {
        link ??= source
        return false
      }
      return true
    },
  })
  if (link) throw packageRefused(label, 'source', `"${link}" is a symbolic link: a package holds files and folders only`)
}
