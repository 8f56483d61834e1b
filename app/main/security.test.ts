import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { HeadersReceivedResponse, OnHeadersReceivedListenerDetails, Protocol, Session, WebContents } from 'electron'
import { asWebContents, createElectronEmulation, type ElectronEmulation } from '../test-support/electron-ipc'
import {
  APP_ORIGIN,
  appOrigins,
  contentSecurityPolicy,
  hardenSession,
  hardenWebContents,
  isAllowedOrigin,
  originOf,
  registerAppScheme,
  resolveAppAsset,
  serveAppScheme,
  withContentSecurityPolicy,
} from './security'

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/)
      return [name!, sources]
    }),
  )
}

describe('origins', () => {
  it('computes tuple origins, including the app scheme, and nothing for opaque ones', () => {
    expect(originOf('app://atomiton/index.html')).toBe('app://atomiton')
    expect(originOf('APP://Atomiton/x')).toBe('app://atomiton')
    expect(originOf('http://localhost:5173/src/main.ts')).toBe('http://localhost:5173')
    expect(originOf('https://Example.com:443/a')).toBe('https://example.com')
    for (const url of ['file:///etc/passwd', 'data:text/html,hi', 'about:blank', 'not a url', '', 'javascript:alert(1)', 'app:atomiton']) {
      expect(originOf(url)).toBeUndefined()
    }
  })

  it('allows exactly the listed origins', () => {
    const allowed = appOrigins({ devServerUrl: 'http://localhost:5173/' })
    expect(allowed).toEqual([APP_ORIGIN, 'http://localhost:5173'])
    expect(appOrigins()).toEqual([APP_ORIGIN])
    expect(isAllowedOrigin('app://atomiton/index.html', allowed)).toBe(true)
    expect(isAllowedOrigin('http://localhost:5173/#/x', allowed)).toBe(true)
    for (const url of [
      'app://atomiton.evil.example/',
      'app://evil/index.html',
      'app://atomiton@evil/index.html',
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://localhost.evil.example:5173/',
      'file:///app/index.html',
      'null',
    ]) {
      expect(isAllowedOrigin(url, allowed), url).toBe(false)
    }
  })
})

describe('contentSecurityPolicy', () => {
  it("never allows 'unsafe-eval' and keeps scripts to 'self'", () => {
    const csp = contentSecurityPolicy()
    expect(csp).not.toContain('unsafe-eval')
    const map = directives(csp)
    expect(map.get('script-src')).toEqual(["'self'"])
    expect(map.get('default-src')).toEqual(["'self'"])
    expect(map.get('style-src')).toEqual(["'self'", "'unsafe-inline'"])
    expect(map.get('connect-src')).toEqual(["'self'"])
    expect(map.get('object-src')).toEqual(["'none'"])
    expect(map.get('frame-ancestors')).toEqual(["'none'"])
    expect(map.get('base-uri')).toEqual(["'none'"])
  })

  it('adds the dev server WebSocket and extra connect sources only when asked', () => {
    const map = directives(contentSecurityPolicy({ devServerUrl: 'http://localhost:5173/', connectSrc: ['ws://127.0.0.1:*'] }))
    expect(map.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:*', 'ws://localhost:5173'])
    expect(map.get('script-src')).toEqual(["'self'"])
    expect(directives(contentSecurityPolicy({ devServerUrl: 'https://dev.local:8443' })).get('connect-src')).toContain('wss://dev.local:8443')
  })

  it('replaces any existing CSP header, whatever its case, and keeps the others', () => {
    expect(
      withContentSecurityPolicy({ 'content-security-policy': ['default-src *'], 'Content-Type': 'text/html', 'X-A': ['1', '2'] }, 'x'),
    ).toEqual({ 'Content-Type': ['text/html'], 'X-A': ['1', '2'], 'Content-Security-Policy': ['x'] })
    expect(withContentSecurityPolicy(undefined, 'x')).toEqual({ 'Content-Security-Policy': ['x'] })
  })
})

describe('hardenSession', () => {
  function fakeSession() {
    const handlers: {
      request?: Parameters<Session['setPermissionRequestHandler']>[0]
      check?: Parameters<Session['setPermissionCheckHandler']>[0]
      device?: Parameters<Session['setDevicePermissionHandler']>[0]
      headers?: (details: OnHeadersReceivedListenerDetails, callback: (response: HeadersReceivedResponse) => void) => void
    } = {}
    const session = {
      setPermissionRequestHandler: (handler: typeof handlers.request) => void (handlers.request = handler),
      setPermissionCheckHandler: (handler: typeof handlers.check) => void (handlers.check = handler),
      setDevicePermissionHandler: (handler: typeof handlers.device) => void (handlers.device = handler),
      webRequest: { onHeadersReceived: (handler: typeof handlers.headers) => void (handlers.headers = handler) },
    }
    return { session: session as unknown as Session, handlers }
  }

  it('denies every permission request and check, and adds the CSP to every response', () => {
    const { session, handlers } = fakeSession()
    hardenSession(session, { contentSecurityPolicy: "default-src 'self'" })
    const callback = vi.fn()
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read'] as const) {
      handlers.request?.({} as WebContents, permission, callback, {} as never)
      expect(handlers.check?.(null, permission, 'app://atomiton', {} as never)).toBe(false)
    }
    expect(callback.mock.calls).toEqual(Array.from({ length: 5 }, () => [false]))
    expect(handlers.device?.({} as never)).toBe(false)
    const respond = vi.fn()
    handlers.headers?.({ responseHeaders: { 'Content-Type': ['text/html'] } } as unknown as OnHeadersReceivedListenerDetails, respond)
    expect(respond).toHaveBeenCalledWith({
      responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'self'"] },
    })
  })
})

describe('hardenWebContents', () => {
  let electron: ElectronEmulation
  afterEach(() => electron.destroyAll())

  it('cancels navigation to other origins, allows the app, and denies window.open', () => {
    electron = createElectronEmulation()
    const win = electron.createWindow('app://atomiton/index.html')
    hardenWebContents(asWebContents(win), { isAllowedNavigation: (url) => isAllowedOrigin(url, [APP_ORIGIN]) })
    expect(win.navigate('https://evil.example/', { initiator: 'renderer' }).committed).toBe(false)
    expect(win.navigate('file:///etc/passwd', { initiator: 'renderer' }).committed).toBe(false)
    expect(win.getURL()).toBe('app://atomiton/index.html')
    expect(win.navigate('app://atomiton/other.html', { initiator: 'renderer' }).committed).toBe(true)
    expect(win.openWindow('https://example.com/')).toEqual({ action: 'deny' })
    expect(win.openWindow('app://atomiton/index.html')).toEqual({ action: 'deny' })
  })

  it('also guards redirects and webviews', () => {
    electron = createElectronEmulation()
    const win = electron.createWindow()
    hardenWebContents(asWebContents(win), { isAllowedNavigation: () => false })
    for (const name of ['will-redirect', 'will-attach-webview']) {
      const event = { url: 'https://evil.example/', preventDefault: vi.fn() }
      win.emit(name, event)
      expect(event.preventDefault).toHaveBeenCalledTimes(1)
    }
  })
})

describe('the app scheme', () => {
  it('maps app URLs into the root, index.html for /, and refuses everything else', () => {
    const root = '/srv/renderer'
    expect(resolveAppAsset('app://atomiton/', root)).toBe('/srv/renderer/index.html')
    expect(resolveAppAsset('app://atomiton/index.html?x=1#y', root)).toBe('/srv/renderer/index.html')
    expect(resolveAppAsset('app://atomiton/assets/main%20x.js', root)).toBe('/srv/renderer/assets/main x.js')
    // Dot segments (even percent-encoded) are resolved by the URL parser itself: they cannot climb out.
    expect(resolveAppAsset('app://atomiton/%2e%2e/%2e%2e/secret', root)).toBe('/srv/renderer/secret')
    for (const url of [
      // Dot-files and dot-folders, as browser mode refuses them.
      'app://atomiton/.env',
      'app://atomiton/assets/.secret.js',
      'app://atomiton/.git/config',
      'app://atomiton/%2egit/config',
      'app://evil/index.html',
      'http://atomiton/index.html',
      'app://atomiton/..%2f..%2fetc/passwd',
      'app://atomiton/..%2fsecret',
      'app://atomiton/a%00b',
      'app://atomiton/%E0%A4%A',
      'nonsense',
    ]) {
      expect(resolveAppAsset(url, root), url).toBeUndefined()
    }
  })

  it('registers app: as a standard secure scheme', () => {
    const registerSchemesAsPrivileged = vi.fn()
    registerAppScheme({ registerSchemesAsPrivileged })
    expect(registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ])
  })

  it('serves files from the root with the CSP header, 404 outside', async () => {
    const rootDir = await mkdtemp(join(tmpdir(), 'atomiton-renderer-'))
    await writeFile(join(rootDir, 'index.html'), '<!doctype html>')
    let handler: ((request: Request) => Response | Promise<Response>) | undefined
    const protocol = { handle: (_scheme: string, h: typeof handler) => void (handler = h) } as unknown as Protocol
    const fetchFile = vi.fn(async (url: string) => new Response(`read ${url}`, { headers: { 'Content-Type': 'text/html' } }))
    serveAppScheme(protocol, { rootDir, contentSecurityPolicy: "default-src 'self'", fetchFile })
    const ok = await handler!(new Request('app://atomiton/'))
    expect(ok.status).toBe(200)
    expect(ok.headers.get('Content-Security-Policy')).toBe("default-src 'self'")
    expect(ok.headers.get('Content-Type')).toBe('text/html')
    expect(await ok.text()).toBe(`read file://${rootDir}/index.html`)
    const refused = await handler!(new Request('app://atomiton/..%2f..%2fetc%2fpasswd'))
    expect(refused.status).toBe(404)
    expect(fetchFile).toHaveBeenCalledTimes(1)
    await rm(rootDir, { recursive: true, force: true })
  })
})
