/**
 * Safe static file serving of the built renderer (`out/renderer`) for browser mode.
 *
 * - GET and HEAD only (405 otherwise). `/` is `index.html`; anything else names a file, or is 404 (no
 *   directory listings, no fallback page).
 * - The path is taken from the raw request target (query and fragment cut off), percent-decoded once, and
 *   must resolve inside the root both lexically and after symlinks are followed (`realpath`): `..`, encoded
 *   `%2e%2e` / `%2f`, backslashes and absolute paths all end at 404 (a malformed encoding or a NUL is 400).
 *   Hidden files and folders (a segment starting with `.`) are never served.
 * - The Content-Type comes from a fixed table by extension (`application/octet-stream` for anything
 *   else), always with `X-Content-Type-Options: nosniff`; the caller's security headers (CSP...) go on
 *   every response, errors included.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, isAbsolute, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'

export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
})

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

const isInside = (root: string, file: string): boolean => file.startsWith(root.endsWith(sep) ? root : root + sep)

export type StaticPath = { readonly ok: true; readonly file: string } | { readonly ok: false; readonly status: 400 | 404 }

/**
 * The file a request target names inside `root` (absolute, already resolved), lexically: no file system
 * access, so symlinks are checked by the handler.
 */
export function resolveStaticPath(root: string, target: string): StaticPath {
  const rawPath = target.split(/[?#]/, 1)[0] ?? ''
  if (!rawPath.startsWith('/')) return { ok: false, status: 400 }
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return { ok: false, status: 400 }
  }
  if (decoded.includes('\0')) return { ok: false, status: 400 }
  const relative = decoded === '/' ? 'index.html' : decoded.slice(1)
  // Backslashes are separators on Windows; refuse them everywhere rather than serve differently per OS.
  if (relative.includes('\\') || isAbsolute(relative)) return { ok: false, status: 404 }
  if (relative.split('/').some((segment) => segment.startsWith('.'))) return { ok: false, status: 404 }
  const file = resolve(root, relative)
  return isInside(root, file) ? { ok: true, file } : { ok: false, status: 404 }
}

export interface StaticHandlerOptions {
  /** The folder to serve (it must exist). */
  readonly rootDir: string
  /** Headers put on every response (the CSP and friends). */
  readonly headers: () => Readonly<Record<string, string>>
  /** Told of failures while streaming a file. */
  readonly onError?: (error: unknown) => void
}

export type StaticHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad request', 404: 'Not found', 405: 'Method not allowed' }

export async function createStaticHandler(options: StaticHandlerOptions): Promise<StaticHandler> {
  const root = await realpath(resolve(options.rootDir))

  const plain = (response: ServerResponse, status: number, extra: Record<string, string> = {}): void => {
    const body = `${STATUS_TEXT[status] ?? 'Error'}\n`
    response.writeHead(status, {
      ...options.headers(),
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      ...extra,
    })
    response.end(body)
  }

  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(response, 405, { Allow: 'GET, HEAD' })
    const resolved = resolveStaticPath(root, request.url ?? '/')
    if (!resolved.ok) return plain(response, resolved.status)
    let file: string
    let size: number
    try {
      file = await realpath(resolved.file)
      const stats = await stat(file)
      if (!stats.isFile() || !isInside(root, file)) return plain(response, 404)
      size = stats.size
    } catch {
      return plain(response, 404)
    }
    response.writeHead(200, {
      ...options.headers(),
      'Content-Type': contentTypeOf(file),
      'Content-Length': String(size),
      'X-Content-Type-Options': 'nosniff',
      // Revalidate every time: a rebuild replaces the files, and the page's URL carries a per-start token.
      'Cache-Control': 'no-cache',
    })
    if (request.method === 'HEAD') {
      response.end()
      return
    }
    try {
      await pipeline(createReadStream(file), response)
    } catch (error) {
      options.onError?.(error)
      response.destroy()
    }
  }
}
