/**
 * Where a plugin may touch the file system: only inside folders the person granted. A path is checked twice,
 * as written (absolute, no `..` segment, lexically inside a granted folder) and as it really is on disk
 * (`fs.realpath` of the path, or of its nearest existing ancestor for a path still to be created, inside the
 * real path of a granted folder), so a symbolic link that leads out of the granted folders is refused like a
 * path that is outside them.
 */
import { realpath } from 'node:fs/promises'
import path from 'node:path'
import { RpcError } from '@atomiton/core/common/errors'

/** Why a path was refused (`data.reason` of the FORBIDDEN error). */
export type PathRefusal = 'not-absolute' | 'traversal' | 'outside' | 'symlink-escape' | 'no-granted-folders' | 'invalid'

export interface ResolvedPath {
  /** The real path on disk (symbolic links resolved) for an existing path; for a new one, its real parent + name. */
  readonly real: string
  /** Whether something exists at the path. */
  readonly exists: boolean
  /** The granted folder (its real path) that contains it. */
  readonly root: string
}

function refuse(reason: PathRefusal, message: string, target: string, field: string): never {
  throw new RpcError('FORBIDDEN', message, { reason, path: target, issues: [{ path: [field], message }] })
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')
}

/** The real path of `target`, or of its nearest existing ancestor with the rest appended. */
async function realOrNearest(target: string): Promise<{ real: string; exists: boolean }> {
  try {
    return { real: await realpath(target), exists: true }
  } catch (error) {
    if (!isMissing(error)) throw error
  }
  const parent = path.dirname(target)
  if (parent === target) return { real: target, exists: false }
  const above = await realOrNearest(parent)
  return { real: path.join(above.real, path.basename(target)), exists: false }
}

/** The granted folders, resolved once per check (a folder that does not exist grants nothing). */
async function realRoots(folders: readonly string[]): Promise<{ lexical: string; real: string }[]> {
  const roots: { lexical: string; real: string }[] = []
  for (const folder of folders) {
    if (typeof folder !== 'string' || !path.isAbsolute(folder)) continue
    try {
      roots.push({ lexical: path.resolve(folder), real: await realpath(folder) })
    } catch (error) {
      if (!isMissing(error)) throw error
    }
  }
  return roots
}

/**
 * Checks `target` against the granted `folders` and answers its real path; FORBIDDEN (with `data.reason`)
 * otherwise. `field` names the input the path came from, for the error's issue.
 */
export async function resolveGranted(folders: readonly string[], target: unknown, field = 'path'): Promise<ResolvedPath> {
  if (typeof target !== 'string' || target === '' || target.includes('\0')) {
    refuse('invalid', 'The path must be a non-empty string without NUL characters', String(target), field)
  }
  if (!path.isAbsolute(target)) refuse('not-absolute', `The path "${target}" must be absolute`, target, field)
  if (target.split(/[\\/]/).includes('..')) refuse('traversal', `The path "${target}" contains "..": name the file directly`, target, field)
  const roots = await realRoots(folders)
  if (roots.length === 0) refuse('no-granted-folders', 'No folder is granted: add one in the plugin\'s settings first', target, field)
  const lexical = path.resolve(target)
  if (!roots.some((root) => isInside(lexical, root.lexical) || isInside(lexical, root.real))) {
    refuse('outside', `The path "${target}" is outside the granted folders`, target, field)
  }
  const { real, exists } = await realOrNearest(lexical)
  const root = roots.find((candidate) => isInside(real, candidate.real))
  if (root === undefined) refuse('symlink-escape', `The path "${target}" leads outside the granted folders through a symbolic link`, target, field)
  return { real, exists, root: root.real }
}
