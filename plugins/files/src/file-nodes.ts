/**
 * The files pack's node types: read, write, append, list, stat, exists, move, copy and delete, as text, JSON
 * or bytes (base64), through the SDK's `GrantedFileSystem` (real paths checked against the granted folders,
 * symbolic links that lead out and `..` refused, writes atomic).
 */
import { z } from 'zod'
import { RpcError } from '@atomiton/plugin-sdk'
import { GrantedFileSystem } from '@atomiton/plugin-sdk/files'
import type { FilesSettings } from './settings'

interface NodeContext {
  readonly signal: AbortSignal
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void
}

/** The SDK's refusals as node errors: a code the run shows, the message, and the issue at its input. */
const CODES: Readonly<Record<string, string>> = {
  FORBIDDEN: 'PATH_NOT_ALLOWED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'FILE_TOO_LARGE',
  INVALID_PARAMS: 'INVALID_PATH',
}

function asNodeError(error: unknown): unknown {
  if (!RpcError.is(error)) return error
  const data = error.data as { issues?: unknown } | undefined
  return Object.assign(new Error(error.message), { code: CODES[error.code] ?? error.code }, data?.issues ? { issues: data.issues } : {})
}

const path = z.string().min(1).max(4096).describe('An absolute path inside a granted folder')
const encoding = z.enum(['text', 'json', 'bytes']).default('text').describe('text (UTF-8), json, or bytes as base64')

function encode(content: unknown, as: 'text' | 'json' | 'bytes'): string | Uint8Array {
  if (as === 'json') return `${JSON.stringify(content, null, 2)}\n`
  if (typeof content !== 'string') {
    throw Object.assign(new Error(`Content must be a string for encoding "${as}"`), { code: 'INVALID_CONTENT', issues: [{ path: ['content'], message: 'Expected a string' }] })
  }
  return as === 'bytes' ? new Uint8Array(Buffer.from(content, 'base64')) : content
}

function decode(bytes: Uint8Array, as: 'text' | 'json' | 'bytes'): unknown {
  if (as === 'bytes') return Buffer.from(bytes).toString('base64')
  const text = new TextDecoder().decode(bytes)
  if (as === 'text') return text
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw Object.assign(new Error(`The file is not JSON: ${(error as Error).message}`), { code: 'INVALID_JSON' })
  }
}

const writeOptions = {
  overwrite: z.boolean().default(true),
  createFolders: z.boolean().default(false).describe('Create missing parent folders (inside the granted ones)'),
}

const entryType = z.enum(['file', 'directory', 'symlink', 'other'])

export function createFileNodes(settings: () => FilesSettings) {
  // the settings are read at each operation: a change applies to the next node run
  const files = new GrantedFileSystem({ folders: () => settings().folders, maxReadBytes: () => settings().maxReadBytes })
  const fs = (): GrantedFileSystem => files
  const guarded =
    <I, O>(run: (input: I, ctx: NodeContext) => Promise<O>) =>
    async (input: I, ctx: NodeContext): Promise<O> => {
      try {
        return await run(input, ctx)
      } catch (error) {
        throw asNodeError(error)
      }
    }
  const node = <I extends z.ZodType, O extends z.ZodType>(
    name: string,
    title: string,
    description: string,
    input: I,
    output: O,
    run: (input: z.output<I>, ctx: NodeContext) => Promise<z.input<O>>,
  ) => ({ id: `files.${name}`, title, description, category: 'files', input, output, execute: guarded(run) })

  return [
    node(
      'read',
      'Read file',
      'Reads a file in a granted folder as text, JSON or bytes (base64).',
      z.object({ path, as: encoding }),
      z.object({ path: z.string(), content: z.json() }),
      async ({ path: target, as }, ctx) => {
        const bytes = await fs().read(target, ctx.signal)
        return { path: target, content: decode(bytes, as) as z.core.util.JSONType }
      },
    ),
    node(
      'write',
      'Write file',
      'Writes a file in a granted folder, atomically (a temporary file renamed over the target).',
      z.object({ path, content: z.json(), as: encoding, ...writeOptions }),
      z.object({ path: z.string(), bytes: z.number() }),
      ({ path: target, content, as, overwrite, createFolders }, ctx) => fs().write(target, encode(content, as), { overwrite, createFolders, signal: ctx.signal }),
    ),
    node(
      'append',
      'Append to file',
      'Appends to a file in a granted folder (created when missing).',
      z.object({ path, content: z.json(), as: encoding, createFolders: writeOptions.createFolders }),
      z.object({ path: z.string(), bytes: z.number() }),
      ({ path: target, content, as, createFolders }) => fs().append(target, as === 'json' ? `${JSON.stringify(content)}\n` : encode(content, as), { createFolders }),
    ),
    node(
      'list',
      'List folder',
      'Lists a folder in a granted folder, sorted by name.',
      z.object({ path }),
      z.object({ entries: z.array(z.object({ name: z.string(), path: z.string(), type: entryType })) }),
      async ({ path: target }) => ({ entries: await fs().list(target) }),
    ),
    node(
      'stat',
      'File info',
      'Type, size and times of a file or folder in a granted folder.',
      z.object({ path }),
      z.object({ path: z.string(), type: entryType, size: z.number(), modifiedAt: z.number(), createdAt: z.number() }),
      ({ path: target }) => fs().stat(target),
    ),
    node(
      'exists',
      'File exists',
      'Whether something exists at a path (which must be inside a granted folder).',
      z.object({ path }),
      z.object({ exists: z.boolean() }),
      async ({ path: target }) => ({ exists: await fs().exists(target) }),
    ),
    node(
      'move',
      'Move',
      'Moves or renames a file or folder, both paths inside granted folders.',
      z.object({ from: path, to: path, ...writeOptions }),
      z.object({ from: z.string(), to: z.string() }),
      ({ from, to, overwrite, createFolders }) => fs().move(from, to, { overwrite, createFolders }),
    ),
    node(
      'copy',
      'Copy',
      'Copies a file or folder (with its content), both paths inside granted folders.',
      z.object({ from: path, to: path, ...writeOptions }),
      z.object({ from: z.string(), to: z.string() }),
      ({ from, to, overwrite, createFolders }) => fs().copy(from, to, { overwrite, createFolders }),
    ),
    node(
      'delete',
      'Delete',
      'Deletes a file, or a folder (`recursive` for one with content); a granted folder itself cannot be deleted.',
      z.object({ path, recursive: z.boolean().default(false) }),
      z.object({ path: z.string(), removed: z.boolean() }),
      ({ path: target, recursive }) => fs().remove(target, { recursive }),
    ),
  ]
}
