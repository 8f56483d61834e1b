// Browser mode's server for real: the built-in plugins on conf stores in a temporary folder, HTTP and the
// WebSocket on 127.0.0.1, a fixture renderer on disk, and the typed client over the WebSocket bridge.
// No sleeps: every wait is on an event or a promise.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { request, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { createRPCClient } from '@atomiton/core/client'
import { RpcError } from '@atomiton/core/common/errors'
import { isGranted } from '@atomiton/core/host/caller'
import { createMemoryLogger } from '@atomiton/core/host/logger'
import { definePlugin } from '@atomiton/core/plugin/definition'
import { createWebSocketBridge } from '@atomiton/core/transports/websocket/bridge'
import { builtinPlugins, type BuiltinPlugins } from '@atomiton/plugins'
import { createLiveGrants } from '../common/live-grants'
import { isLoopbackIPv4, startServer, type RunningServer, type StartServerOptions } from './server'

const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body>atomiton</body></html>'
const APP_JS = 'console.log("atomiton")\n'
const SECRET = 'the secret outside the renderer folder'

let workDir: string
let rendererDir: string

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'atomiton-serve-'))
  rendererDir = join(workDir, 'renderer')
  await mkdir(join(rendererDir, 'assets'), { recursive: true })
  await writeFile(join(rendererDir, 'index.html'), INDEX_HTML)
  await writeFile(join(rendererDir, 'assets', 'app.js'), APP_JS)
  await writeFile(join(rendererDir, 'assets', 'app.css'), 'body { margin: 0 }\n')
  await writeFile(join(rendererDir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  await writeFile(join(rendererDir, '.env'), SECRET)
  await writeFile(join(workDir, 'secret.txt'), SECRET)
  await symlink(join(workDir, 'secret.txt'), join(rendererDir, 'assets', 'leak.txt'))
})

afterAll(() => rm(workDir, { recursive: true, force: true }))

async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(join(workDir, 'data-'))
  return join(dir, 'nested', 'data')
}

async function start(options: Partial<StartServerOptions> = {}): Promise<RunningServer> {
  const server = await startServer({ dataDir: options.dataDir ?? (await newDataDir()), rendererDir, heartbeatMs: 0, ...options })
  onTestFinished(() => server.close())
  return server
}

interface HttpAnswer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** A raw HTTP request: the path goes out exactly as given (no normalisation of `..`). */
function http(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** Opens a raw WebSocket that must be refused; resolves with the HTTP status of the refusal. */
function refusedStatus(url: string, origin: string | undefined, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, ...(origin === undefined ? {} : { origin }) })
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0)
      socket.terminate()
    })
    socket.on('open', () => {
      socket.terminate()
      reject(new Error(`${url} was accepted`))
    })
    socket.on('error', () => undefined)
  })
}

/** The typed client over the WebSocket bridge, presenting itself from the server's origin as the page does. */
async function clientOf(server: RunningServer) {
  class PageSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin: server.origin })
    }
  }
  const bridge = createWebSocketBridge({ url: server.rpcUrl, token: server.token, WebSocket: PageSocket, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } })
  const client = createRPCClient<BuiltinPlugins>(bridge)
  onTestFinished(() => {
    client.$dispose()
    bridge.close()
  })
  await bridge.whenOpen()
  return { client, bridge }
}

/** Resolves with the error code of a failed connection attempt, or 'connected'. */
function tryConnect(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
  })
}

describe('startServer: HTTP', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ dataDir: await newDataDir(), rendererDir, heartbeatMs: 0 })
  })
  afterAll(() => server.close())

  it('prints a URL on 127.0.0.1 that carries a random token', () => {
    expect(server.port).toBeGreaterThan(0)
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`)
    expect(server.rpcUrl).toBe(`ws://127.0.0.1:${server.port}/rpc`)
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
  })

  it('serves index.html with a CSP without unsafe-eval that allows only its own WebSocket', async () => {
    const answer = await http(server.port, `/?token=${server.token}`)
    expect(answer.status).toBe(200)
    expect(answer.body).toBe(INDEX_HTML)
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8')
    const csp = answer.headers['content-security-policy'] as string
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port};`)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("object-src 'none'")
    expect(answer.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-cache',
    })
    expect(await http(server.port, '/index.html')).toMatchObject({ status: 200, body: INDEX_HTML })
  })

  it('serves assets with their content types', async () => {
    expect(await http(server.port, '/assets/app.js')).toMatchObject({ status: 200, body: APP_JS, headers: { 'content-type': 'text/javascript; charset=utf-8' } })
    expect((await http(server.port, '/assets/app.css')).headers['content-type']).toBe('text/css; charset=utf-8')
    expect((await http(server.port, '/assets/logo.svg')).headers['content-type']).toBe('image/svg+xml')
    const head = await http(server.port, '/assets/app.js', { method: 'HEAD' })
    expect(head).toMatchObject({ status: 200, body: '', headers: { 'content-length': String(Buffer.byteLength(APP_JS)) } })
  })

  it('answers 404 for missing files and folders, and 405 for other methods', async () => {
    expect((await http(server.port, '/missing.js')).status).toBe(404)
    expect((await http(server.port, '/assets')).status).toBe(404)
    expect((await http(server.port, '/assets/')).status).toBe(404)
    const post = await http(server.port, '/index.html', { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers['allow']).toBe('GET, HEAD')
    expect(post.headers['content-security-policy']).toBeDefined()
  })

  it('refuses path traversal, encoded or not, hidden files and symlinks out of the folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      `/${'..%2f'.repeat(12)}etc%2fpasswd`,
      '/.env',
      '/assets/leak.txt',
    ]) {
      const answer = await http(server.port, path)
      expect(answer.status, path).toBe(404)
      expect(answer.body, path).not.toContain(SECRET)
    }
    expect((await http(server.port, '/%E0%A4%A')).status).toBe(400)
    expect((await http(server.port, '/index.html%00')).status).toBe(400)
  })

  it('answers only requests for its own host name (DNS rebinding), redirecting localhost', async () => {
    const foreign = await http(server.port, '/', { headers: { Host: `evil.example:${server.port}` } })
    expect(foreign.status).toBe(421)
    expect(foreign.headers['x-content-type-options']).toBe('nosniff')
    expect(foreign.body).not.toContain('atomiton')
    const local = await http(server.port, '/?token=abc', { headers: { Host: `localhost:${server.port}` } })
    expect(local.status).toBe(308)
    expect(local.headers['x-content-type-options']).toBe('nosniff')
    expect(local.headers.location).toBe(`http://127.0.0.1:${server.port}/?token=abc`)
  })

  it('binds 127.0.0.1 only', async () => {
    expect(await tryConnect('127.0.0.1', server.port)).toBe('connected')
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)
      .map((entry) => entry!.address)
    for (const address of external) expect(await tryConnect(address, server.port), address).toBe('ECONNREFUSED')
  })
})

describe('startServer: the WebSocket', () => {
  it('refuses a connection without the token (401), with a wrong one (401), or from a foreign origin (403)', async () => {
    const logger = createMemoryLogger('debug')
    const server = await start({ logger })
    expect(await refusedStatus(server.rpcUrl, server.origin)).toBe(401)
    expect(await refusedStatus(`${server.rpcUrl}?token=`, server.origin)).toBe(401)
    expect(await refusedStatus(`${server.rpcUrl}?token=${server.token}x`, server.origin)).toBe(401)
    expect(await refusedStatus(`${server.rpcUrl}?token=${server.token}`, 'http://evil.example')).toBe(403)
    expect(await refusedStatus(`${server.rpcUrl}?token=${server.token}`, `http://localhost:${server.port}`)).toBe(403)
    expect(await refusedStatus(`${server.rpcUrl}?token=${server.token}`, undefined)).toBe(403)
    expect(await refusedStatus(`ws://127.0.0.1:${server.port}/other?token=${server.token}`, server.origin)).toBe(404)
    // A Host that is not the server's own (DNS rebinding), even with the right token and Origin.
    expect(await refusedStatus(`${server.rpcUrl}?token=${server.token}`, server.origin, { Host: `evil.example:${server.port}` })).toBe(421)
    expect(await refusedStatus(`${server.rpcUrl}?token=${server.token}`, server.origin, { Host: `localhost:${server.port}` })).toBe(421)
    // The token is never logged.
    expect(JSON.stringify(logger.entries)).not.toContain(server.token)
    expect(logger.entries.filter((entry) => entry.level === 'warn').length).toBeGreaterThanOrEqual(6)
  })

  it('serves the built-in plugins to the typed client, with the UI grants', async () => {
    const server = await start()
    const { client } = await clientOf(server)
    const health = await client.system.health()
    expect(health.status).toBe('ok')
    expect(health.plugins.map(({ id, state }) => [id, state])).toEqual(
      expect.arrayContaining([
        ['system', 'active'],
        ['storage', 'active'],
        ['node', 'active'],
        ['workflow', 'active'],
      ]),
    )
    const info = await client.system.getInfo()
    expect(info.mode).toBe('browser')
    expect(info.versions.node).toBe(process.versions.node)
    const value = { text: 'hello', at: new Date('2024-05-01T10:00:00.000Z'), tags: new Set(['a', 'b']), big: 2n ** 70n }
    await client.storage.set({ namespace: 'notes', key: 'greeting', value })
    expect(await client.storage.get({ namespace: 'notes', key: 'greeting' })).toEqual(value)
  })

  it('gives every page the grants the loaded plugins call for, or the policy given', async () => {
    const server = await start()
    const { client } = await clientOf(server)
    const catalog = await client.$call('rpc.discover')
    const methods = (catalog as { plugins: { procedures: { method: string; permission: string }[] }[] }).plugins.flatMap((p) => p.procedures)
    expect(methods.length).toBeGreaterThan(10)
    expect(methods.map((m) => m.method)).toEqual(expect.arrayContaining(['system.health', 'system.disablePlugin', 'storage.set', 'node.execute']))
    const grants = createLiveGrants(server.host).current()
    for (const { method, permission } of methods) expect(isGranted(grants, permission), method).toBe(true)
    // Every exposed procedure of every loaded plugin is reachable: the page sees them all.
    const exposed = [...server.host.router.entries()].filter((route) => route.procedure.expose).map((route) => route.method)
    expect(methods.map((m) => m.method).sort()).toEqual(exposed.sort())
    // A custom policy is honoured: a page with read-only grants cannot write.
    const readOnly = await start({ grants: ['rpc.*', 'system.read', 'storage.read'] })
    const { client: reader } = await clientOf(readOnly)
    const error = await reader.storage.set({ namespace: 'notes', key: 'k', value: 1 }).catch((e: unknown) => e)
    expect(RpcError.is(error, 'FORBIDDEN')).toBe(true)
  })
})

describe('startServer: restarts', () => {
  it('keeps stored values and plugin choices across a restart on the same data folder, with a new token', async () => {
    const dataDir = await newDataDir()
    const first = await startServer({ dataDir, rendererDir, heartbeatMs: 0 })
    expect(existsSync(dataDir)).toBe(true)
    const { client, bridge } = await clientOf(first)
    const value = { when: new Date('2025-01-02T03:04:05.000Z'), list: [1, 2, 3], map: new Map([['k', 'v']]) }
    await client.storage.set({ namespace: 'notes', key: 'kept', value })
    await client.system.disablePlugin({ id: 'workflow' })
    const firstToken = first.token
    await first.close()
    await first.close()
    expect((await readdir(dataDir)).some((file) => file.endsWith('.json'))).toBe(true)
    // The client saw the host go.
    await expect(client.system.health()).rejects.toSatisfy((error: unknown) => RpcError.is(error, 'UNAVAILABLE'))
    bridge.close()
    expect(await tryConnect('127.0.0.1', first.port)).toBe('ECONNREFUSED')

    const second = await start({ dataDir })
    expect(second.token).not.toBe(firstToken)
    expect(await refusedStatus(`${second.rpcUrl}?token=${firstToken}`, second.origin)).toBe(401)
    const { client: again } = await clientOf(second)
    expect(await again.storage.get({ namespace: 'notes', key: 'kept' })).toEqual(value)
    const health = await again.system.health()
    expect(health.plugins.find((plugin) => plugin.id === 'workflow')?.state).toBe('disabled')
    const error = await again.$call('workflow.list').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RpcError)
  })

  it('fails to start on a taken port, and disposes what it booted', async () => {
    const server = await start()
    const probe = { setUp: 0, tornDown: 0 }
    const probePlugin = definePlugin({
      id: 'probe',
      version: '1.0.0',
      setup: () => void probe.setUp++,
      teardown: () => void probe.tornDown++,
    })
    await expect(startServer({ port: server.port, dataDir: await newDataDir(), rendererDir, plugins: [probePlugin] })).rejects.toThrow(/EADDRINUSE/)
    expect(probe).toEqual({ setUp: 1, tornDown: 1 })
  })

  it('disposes the plugins on close', async () => {
    const probe = { setUp: 0, tornDown: 0 }
    const probePlugin = definePlugin({
      id: 'probe',
      version: '1.0.0',
      setup: () => void probe.setUp++,
      teardown: () => void probe.tornDown++,
    })
    const server = await startServer({ dataDir: await newDataDir(), rendererDir, plugins: [...builtinPlugins, probePlugin] })
    expect(probe).toEqual({ setUp: 1, tornDown: 0 })
    await server.close()
    expect(probe).toEqual({ setUp: 1, tornDown: 1 })
  })
})

describe('startServer: options', () => {
  it('binds loopback IPv4 addresses only', async () => {
    for (const host of ['0.0.0.0', '192.0.2.2', '::', '::1', 'localhost', '127.0.0.256']) {
      await expect(startServer({ host, dataDir: await newDataDir(), rendererDir }), host).rejects.toThrow(/loopback/)
    }
    expect(isLoopbackIPv4('127.0.0.1')).toBe(true)
    expect(isLoopbackIPv4('127.1.2.3')).toBe(true)
    expect(isLoopbackIPv4('128.0.0.1')).toBe(false)
  })

  it('refuses a folder without a built renderer', async () => {
    await expect(startServer({ dataDir: await newDataDir(), rendererDir: join(workDir, 'nowhere') })).rejects.toThrow(/No built renderer/)
  })
})
