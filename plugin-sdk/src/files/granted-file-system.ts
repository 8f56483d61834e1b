/**
 * File operations confined to granted folders: every path goes through `resolveGranted` first, writes are
 * atomic (a temporary file in the same folder renamed over the target), reads are bounded in size, and the
 * granted folders themselves cannot be deleted or moved.
 */
import { randomBytes } from 'node:crypto'
import { appendFile, cp, lstat, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { RpcError } from '@atomiton/core/common/errors'
import { resolveGranted, type ResolvedPath } from './granted-folders'

export type EntryType = 'file' | 'directory' | 'symlink' | 'other'

export interface FileStat {
  readonly path: string
  readonly type: EntryType
  readonly size: number
  readonly modifiedAt: number
  readonly createdAt: number
}

export interface DirectoryEntry {
  readonly name: string
  readonly path: string
  readonly type: EntryType
}

export interface GrantedFileSystemOptions {
  /** The granted folders, read at each operation (settings may change between two). */
  readonly folders: () => readonly string[]
  /** The largest file `read` returns (bytes); a function is read at each operation. */
  readonly maxReadBytes: number | (() => number)
}

export interface WriteOptions {
  /** Replace an existing file (default true); false answers CONFLICT when it exists. */
  readonly overwrite?: boolean
  /** Create missing parent folders (inside the granted ones). */
  readonly createFolders?: boolean
  readonly signal?: AbortSignal
}

function typeOf(entry: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType {
  if (entry.isSymbolicLink()) return 'symlink'
  if (entry.isFile()) return 'file'
  if (entry.isDirectory()) return 'directory'
  return 'other'
}

function notFound(target: string, field = 'path'): never {
  throw new RpcError('NOT_FOUND', `Nothing exists at "${target}"`, { path: target, issues: [{ path: [field], message: 'Not found' }] })
}

export class GrantedFileSystem {
  constructor(private readonly options: GrantedFileSystemOptions) {}

  /** The real path of `target` inside the granted folders (FORBIDDEN otherwise). */
  resolve(target: unknown, field = 'path'): Promise<ResolvedPath> {
    return resolveGranted(this.options.folders(), target, field)
  }

  private async existing(target: unknown, field = 'path'): Promise<ResolvedPath> {
    const resolved = await this.resolve(target, field)
    if (!resolved.exists) notFound(String(target), field)
    return resolved
  }

  async read(target: unknown, signal?: AbortSignal): Promise<Uint8Array> {
    const { real } = await this.existing(target)
    const info = await stat(real)
    if (!info.isFile()) throw new RpcError('INVALID_PARAMS', `"${String(target)}" is not a file`, { issues: [{ path: ['path'], message: 'Not a file' }] })
    const limit = typeof this.options.maxReadBytes === 'function' ? this.options.maxReadBytes() : this.options.maxReadBytes
    if (info.size > limit) {
      throw new RpcError('PAYLOAD_TOO_LARGE', `"${String(target)}" is ${info.size} bytes, more than the ${limit} allowed`, { size: info.size, limit })
    }
    return new Uint8Array(await readFile(real, signal ? { signal } : {}))
  }

  async write(target: unknown, data: string | Uint8Array, options: WriteOptions = {}): Promise<{ path: string; bytes: number }> {
    const resolved = await this.prepareTarget(target, options)
    const folder = path.dirname(resolved.real)
    const temporary = path.join(folder, `.${path.basename(resolved.real)}.${randomBytes(6).toString('hex')}.tmp`)
    try {
      await writeFile(temporary, data, { flag: 'wx', ...(options.signal ? { signal: options.signal } : {}) })
      await rename(temporary, resolved.real)
    } catch (error) {
      await rm(temporary, { force: true })
      throw error
    }
    return { path: resolved.real, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength }
  }

  async append(target: unknown, data: string | Uint8Array, options: Omit<WriteOptions, 'overwrite'> = {}): Promise<{ path: string; bytes: number }> {
    const resolved = await this.resolve(target)
    if (!resolved.exists) await this.ensureFolder(resolved, options.createFolders === true, String(target))
    else if (!(await stat(resolved.real)).isFile()) throw new RpcError('INVALID_PARAMS', `"${String(target)}" is not a file`)
    await appendFile(resolved.real, data)
    return { path: resolved.real, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength }
  }

  async list(target: unknown): Promise<DirectoryEntry[]> {
    const { real } = await this.existing(target)
    if (!(await stat(real)).isDirectory()) throw new RpcError('INVALID_PARAMS', `"${String(target)}" is not a folder`)
    const entries = await readdir(real, { withFileTypes: true })
    return entries
      .map((entry) => ({ name: entry.name, path: path.join(real, entry.name), type: typeOf(entry) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  async stat(target: unknown): Promise<FileStat> {
    const { real } = await this.existing(target)
    const info = await lstat(real)
    return { path: real, type: typeOf(info), size: info.size, modifiedAt: info.mtimeMs, createdAt: info.birthtimeMs }
  }

  /** Whether something exists at `target`; the path must still be inside the granted folders. */
  async exists(target: unknown): Promise<boolean> {
    return (await this.resolve(target)).exists
  }

  async move(from: unknown, to: unknown, options: WriteOptions = {}): Promise<{ from: string; to: string }> {
    const source = await this.existing(from, 'from')
    this.refuseRoot(source, String(from), 'from')
    const destination = await this.prepareTarget(to, options, 'to')
    try {
      await rename(source.real, destination.real)
    } catch (error) {
      if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'EXDEV')) throw error
      // another device: copy, then remove the source
      await cp(source.real, destination.real, { recursive: true, force: true, errorOnExist: false, verbatimSymlinks: true })
      await rm(source.real, { recursive: true, force: true })
    }
    return { from: source.real, to: destination.real }
  }

  async copy(from: unknown, to: unknown, options: WriteOptions = {}): Promise<{ from: string; to: string }> {
    const source = await this.existing(from, 'from')
    const destination = await this.prepareTarget(to, options, 'to')
    const relative = path.relative(source.real, destination.real)
    const intoItself = relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
    if (intoItself && (await stat(source.real)).isDirectory()) {
      throw new RpcError('INVALID_PARAMS', 'A folder cannot be copied into itself', { issues: [{ path: ['to'], message: 'Inside the source folder' }] })
    }
    // symbolic links are copied as links (never followed): reading through one later is checked like any path
    await cp(source.real, destination.real, { recursive: true, force: true, errorOnExist: false, verbatimSymlinks: true })
    return { from: source.real, to: destination.real }
  }

  async remove(target: unknown, options: { recursive?: boolean } = {}): Promise<{ path: string; removed: boolean }> {
    const resolved = await this.resolve(target)
    if (!resolved.exists) return { path: resolved.real, removed: false }
    this.refuseRoot(resolved, String(target), 'path')
    const info = await lstat(resolved.real)
    if (info.isDirectory()) {
      if (options.recursive !== true && (await readdir(resolved.real)).length > 0) {
        throw new RpcError('CONFLICT', `The folder "${String(target)}" is not empty (set recursive to delete it with its content)`)
      }
      await rm(resolved.real, { recursive: true })
    } else {
      await unlink(resolved.real)
    }
    return { path: resolved.real, removed: true }
  }

  private refuseRoot(resolved: ResolvedPath, target: string, field: string): void {
    if (resolved.real === resolved.root) {
      throw new RpcError('FORBIDDEN', `"${target}" is a granted folder itself: it cannot be moved or deleted`, {
        reason: 'granted-folder',
        issues: [{ path: [field], message: 'A granted folder' }],
      })
    }
  }

  private async prepareTarget(target: unknown, options: WriteOptions, field = 'path'): Promise<ResolvedPath> {
    const resolved = await this.resolve(target, field)
    if (resolved.exists) {
      if (options.overwrite === false) throw new RpcError('CONFLICT', `"${String(target)}" already exists`, { path: resolved.real })
      this.refuseRoot(resolved, String(target), field)
      if ((await stat(resolved.real)).isDirectory()) {
        throw new RpcError('CONFLICT', `"${String(target)}" is a folder`, { path: resolved.real })
      }
    } else {
      await this.ensureFolder(resolved, options.createFolders === true, String(target))
    }
    return resolved
  }

  private async ensureFolder(resolved: ResolvedPath, create: boolean, target: string): Promise<void> {
    const folder = path.dirname(resolved.real)
    try {
      if ((await stat(folder)).isDirectory()) return
      throw new RpcError('INVALID_PARAMS', `The parent of "${target}" is not a folder`)
    } catch (error) {
      if (RpcError.is(error)) throw error
      if (!create) throw new RpcError('NOT_FOUND', `The folder of "${target}" does not exist (set createFolders to create it)`, { path: folder })
    }
    // resolved.real's parent chain was checked against the granted folders (nearest existing ancestor)
    await mkdir(folder, { recursive: true })
  }
}
