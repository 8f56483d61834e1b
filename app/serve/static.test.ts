import { describe, expect, it } from 'vitest'
import { contentTypeOf, resolveStaticPath } from './static'

const ROOT = '/srv/renderer'

describe('resolveStaticPath', () => {
  it('maps / to index.html and other paths to files inside the root', () => {
    expect(resolveStaticPath(ROOT, '/')).toEqual({ ok: true, file: '/srv/renderer/index.html' })
    expect(resolveStaticPath(ROOT, '/?token=abc')).toEqual({ ok: true, file: '/srv/renderer/index.html' })
    expect(resolveStaticPath(ROOT, '/assets/index-abc.js#x')).toEqual({ ok: true, file: '/srv/renderer/assets/index-abc.js' })
    expect(resolveStaticPath(ROOT, '/assets/a%20b.css')).toEqual({ ok: true, file: '/srv/renderer/assets/a b.css' })
  })

  it('refuses every way out of the root', () => {
    for (const target of [
      '/../package.json',
      '/../../etc/passwd',
      '/assets/../../secret.txt',
      '/..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e%2fsecret.txt',
      '/..\\secret.txt',
      '/%5c..%5csecret.txt',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
    ]) {
      expect(resolveStaticPath(ROOT, target), target).toEqual({ ok: false, status: 404 })
    }
  })

  it('never serves hidden files or folders', () => {
    expect(resolveStaticPath(ROOT, '/.env')).toEqual({ ok: false, status: 404 })
    expect(resolveStaticPath(ROOT, '/.git/config')).toEqual({ ok: false, status: 404 })
    expect(resolveStaticPath(ROOT, '/assets/.hidden/x.js')).toEqual({ ok: false, status: 404 })
  })

  it('answers 400 for malformed targets', () => {
    expect(resolveStaticPath(ROOT, '/%E0%A4%A')).toEqual({ ok: false, status: 400 })
    expect(resolveStaticPath(ROOT, '/index.html%00.js')).toEqual({ ok: false, status: 400 })
    expect(resolveStaticPath(ROOT, 'index.html')).toEqual({ ok: false, status: 400 })
    expect(resolveStaticPath(ROOT, 'http://evil.example/index.html')).toEqual({ ok: false, status: 400 })
  })
})

describe('contentTypeOf', () => {
  it('knows the renderer build outputs, and falls back to octet-stream', () => {
    expect(contentTypeOf('/r/index.html')).toBe('text/html; charset=utf-8')
    expect(contentTypeOf('/r/assets/index-abc.js')).toBe('text/javascript; charset=utf-8')
    expect(contentTypeOf('/r/assets/index-abc.CSS')).toBe('text/css; charset=utf-8')
    expect(contentTypeOf('/r/icon.svg')).toBe('image/svg+xml')
    expect(contentTypeOf('/r/font.woff2')).toBe('font/woff2')
    expect(contentTypeOf('/r/x.wasm')).toBe('application/wasm')
    expect(contentTypeOf('/r/LICENSE')).toBe('application/octet-stream')
    expect(contentTypeOf('/r/x.exe')).toBe('application/octet-stream')
  })
})
