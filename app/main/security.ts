/**
 * The security policy of the Electron shell, as pure functions plus thin installers (Electron's security
 * checklist: https://www.electronjs.org/docs/latest/tutorial/security).
 *
 * - The app is served from a privileged custom scheme, `app://atomiton`, not `file://` (whose origin is
 *   opaque: every local file would share it). In development the electron-vite dev server's origin is
 *   allowed too. `isAllowedOrigin` is what the IPC transport checks on every message.
 * - A Content-Security-Policy without `'unsafe-eval'` (the renderer must run jitless: `z.config({ jitless:
 *   true })`, no `new Function`) on every response, both from the app scheme and via `webRequest`.
 * - Every permission request and check is denied; navigation away from allowed origins, `window.open`
 *   and `<webview>` are denied.
 *
 * Electron objects are passed in (never imported as values), so this module loads and is tested in Node.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { HeadersReceivedResponse, Protocol, Session, WebContents } from 'electron'
import { resolveStaticPath } from '../serve/static'

export const APP_SCHEME = 'app'
export const APP_HOST = 'atomiton'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/**
 * The origin of `url` (`scheme://host[:port]`), or undefined for invalid URLs and opaque origins (`file:`,
 * `data:`, `about:`). Node's URL gives every custom scheme an opaque origin, while Chromium gives `app:`,
 * registered as a standard scheme, a tuple origin: that one is computed here the way Chromium does.
 */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    if (parsed.origin !== 'null') return parsed.origin
    if (parsed.protocol === `${APP_SCHEME}:` && parsed.host !== '') return `${parsed.protocol}//${parsed.host.toLowerCase()}`
    return undefined
  } catch {
    return undefined
  }
}

/** The origins whose documents may use the bridge: the app scheme, plus the dev server while developing. */
export function appOrigins(options: { readonly devServerUrl?: string | undefined } = {}): readonly string[] {
  const dev = options.devServerUrl ? originOf(options.devServerUrl) : undefined
  return dev ? [APP_ORIGIN, dev] : [APP_ORIGIN]
}

/** True when `url` has exactly one of the `allowed` origins (no prefix or subdomain games). */
export function isAllowedOrigin(url: string, allowed: readonly string[]): boolean {
  const origin = originOf(url)
  return origin !== undefined && allowed.includes(origin)
}

export interface CspOptions {
  /** The dev server (`ELECTRON_RENDERER_URL`): its WebSocket is allowed for Vite's HMR client. */
  readonly devServerUrl?: string | undefined
  /** Further `connect-src` sources (e.g. `ws://127.0.0.1:*` if the renderer ever talks to a local socket). */
  readonly connectSrc?: readonly string[]
}

/** The Content-Security-Policy of the renderer: `'self'` only, no `'unsafe-eval'`, no plugins, no framing. */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const connect = ["'self'", ...(options.connectSrc ?? [])]
  const dev = options.devServerUrl ? new URL(options.devServerUrl) : undefined
  if (dev) connect.push(`${dev.protocol === 'https:' ? 'wss' : 'ws'}://${dev.host}`)
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    // Vue's transitions and scoped-style injection set inline styles.
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'", 'data:'],
    ['connect-src', ...connect],
    ['worker-src', "'self'"],
    ['object-src', "'none'"],
    ['frame-src', "'none'"],
    ['frame-ancestors', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
  ]
  return directives.map((directive) => directive.join(' ')).join('; ')
}

/** `headers` with any Content-Security-Policy header (whatever its case) replaced by `csp`. */
export function withContentSecurityPolicy(
  headers: Record<string, string | string[]> | undefined,
  csp: string,
): Record<string, string[]> {
  const result: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = Array.isArray(value) ? value : [value]
  }
  result['Content-Security-Policy'] = [csp]
  return result
}

type HardenableSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
> & {
  readonly webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>
}

/** Denies every permission and puts the CSP on every response of the session. */
export function hardenSession(session: HardenableSession, options: { readonly contentSecurityPolicy: string }): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
  session.webRequest.onHeadersReceived((details, callback: (response: HeadersReceivedResponse) => void) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, options.contentSecurityPolicy) })
  })
}

export interface NavigationPolicy {
  /** Whether the window may navigate (or be redirected) to this URL. */
  readonly isAllowedNavigation: (url: string) => boolean
}

/** Denies navigation to other origins, every `window.open`, and `<webview>`. */
export function hardenWebContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  policy: NavigationPolicy,
): void {
  contents.on('will-navigate', (event) => {
    if (!policy.isAllowedNavigation(event.url)) event.preventDefault()
  })
  contents.on('will-redirect', (event) => {
    if (!policy.isAllowedNavigation(event.url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}

/**
 * The file an `app://atomiton/...` URL names inside `rootDir` (`/` is `index.html`), or undefined for another
 * host, an undecodable path, a path escaping `rootDir`, or a dot-file or dot-folder anywhere on the path
 * (`.env`, `.git/`): the same rule as browser mode's static files (`resolveStaticPath`), which it uses.
 */
export function resolveAppAsset(url: string, rootDir: string): string | undefined {
  let parsed: URL
  let pathname: string
  try {
    parsed = new URL(url)
    pathname = decodeURIComponent(parsed.pathname)
  } catch {
    return undefined
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || pathname.includes('\0')) return undefined
  const found = resolveStaticPath(resolve(rootDir), parsed.pathname)
  return found.ok ? found.file : undefined
}

/** Must run before `app` is ready: makes `app:` a standard, secure scheme (a real origin, fetch, no CSP bypass). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ])
}

export interface AppSchemeOptions {
  /** The built renderer (`out/renderer`). */
  readonly rootDir: string
  readonly contentSecurityPolicy: string
  /** Electron's `net.fetch`, used to read the file. */
  readonly fetchFile: (url: string) => Promise<Response>
}

/** Serves `app://atomiton/*` from `rootDir`, with the CSP header; anything outside answers 404. */
export function serveAppScheme(protocol: Pick<Protocol, 'handle'>, options: AppSchemeOptions): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppAsset(request.url, options.rootDir)
    if (!file) return new Response('Not found', { status: 404 })
    const response = await options.fetchFile(pathToFileURL(file).href)
    const headers = new Headers(response.headers)
    headers.set('Content-Security-Policy', options.contentSecurityPolicy)
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  })
}
