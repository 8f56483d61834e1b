// http.request against a real HTTP server on 127.0.0.1: allowed hosts, bodies, response types, status
// handling, retries with backoff, the time limit, redirects, the size cap, and cancellation mid-request.
import { describe, expect, it } from 'vitest'
import { createNodeTypeHost, startLocalServer, type LocalServer } from '@atomiton/plugin-sdk/testing'
import { httpPlugin } from '../index'

async function setup(server: LocalServer, settings: Record<string, unknown> = {}) {
  const nodes = await createNodeTypeHost({ plugins: [httpPlugin] })
  await nodes.configure('http', { allowedHosts: [`127.0.0.1:${server.port}`], ...settings })
  return nodes
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string; issues?: unknown; status?: number }> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof Error)) throw new Error('expected the node to fail')
  return error as Error & { code?: string }
}

describe('http.request', () => {
  it('contributes its node type and is off for every host by default', async () => {
    const server = await startLocalServer((_req, res) => res.end('never'))
    const nodes = await createNodeTypeHost({ plugins: [httpPlugin] })
    expect(nodes.types().get('http.request')?.owner).toBe('http')
    const error = await failure(nodes.run('http.request', { url: `${server.origin}/x` }))
    expect(error).toMatchObject({ code: 'HOST_NOT_ALLOWED', issues: [{ path: ['url'] }] })
    expect(error.message).toContain('allowed hosts')
    expect(server.requests).toHaveLength(0)
  })

  it('refuses a host or port not allowed, a redirect to one, and non-http URLs', async () => {
    const other = await startLocalServer((_req, res) => res.end('other'))
    const server = await startLocalServer((req, res) => {
      res.writeHead(302, { location: `${other.origin}/stolen` }).end()
    })
    const nodes = await setup(server)
    await expect(nodes.run('http.request', { url: `${other.origin}/` })).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' })
    await expect(nodes.run('http.request', { url: `http://localhost:${server.port}/` })).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' })
    await expect(nodes.run('http.request', { url: `${server.origin}/redirect` })).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' })
    expect(other.requests).toHaveLength(0)
    await expect(nodes.run('http.request', { url: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'INVALID_URL' })
    await expect(nodes.run('http.request', { url: 'not a url' })).rejects.toMatchObject({ code: 'INVALID_URL' })
    await expect(nodes.run('http.request', { url: `http://user:pw@127.0.0.1:${server.port}/` })).rejects.toMatchObject({ code: 'INVALID_URL' })
  })

  it('sends method, headers, query and a JSON, text or form body, and reads JSON, text or bytes', async () => {
    const server = await startLocalServer((req, res) => {
      if (req.url?.startsWith('/text')) res.setHeader('content-type', 'text/plain').end('plain words')
      else if (req.url?.startsWith('/bytes')) res.end(Buffer.from([0, 1, 2, 255]))
      else res.setHeader('content-type', 'application/json').end(JSON.stringify({ echo: req.body, method: req.method, url: req.url, type: req.headers['content-type'] }))
    })
    const nodes = await setup(server)
    const json = await nodes.run('http.request', {
      method: 'POST',
      url: `${server.origin}/api?a=1`,
      query: { b: 'two', c: [3, true] },
      headers: { 'x-token': 'secret' },
      body: { type: 'json', value: { hello: ['world'] } },
    })
    expect(json.outputs).toMatchObject({
      status: 200,
      ok: true,
      bodyType: 'json',
      attempts: 1,
      body: { echo: '{"hello":["world"]}', method: 'POST', url: '/api?a=1&b=two&c=3&c=true', type: 'application/json' },
    })
    expect(server.requests[0]?.headers['x-token']).toBe('secret')
    const form = await nodes.run('http.request', { method: 'PUT', url: `${server.origin}/form`, body: { type: 'form', value: { name: 'Ada L', n: 1 } } })
    expect(form.outputs).toMatchObject({ body: { echo: 'name=Ada+L&n=1', type: 'application/x-www-form-urlencoded;charset=UTF-8' } })
    const text = await nodes.run('http.request', { method: 'PATCH', url: `${server.origin}/form`, body: { type: 'text', value: 'raw' } })
    expect(text.outputs).toMatchObject({ body: { echo: 'raw', type: 'text/plain; charset=utf-8' } })
    await expect(nodes.run('http.request', { url: `${server.origin}/text` })).resolves.toMatchObject({ outputs: { bodyType: 'text', body: 'plain words' } })
    await expect(nodes.run('http.request', { url: `${server.origin}/bytes`, responseType: 'bytes' })).resolves.toMatchObject({ outputs: { bodyType: 'bytes', body: 'AAEC/w==' } })
    await expect(nodes.run('http.request', { url: `${server.origin}/text`, responseType: 'json' })).rejects.toMatchObject({ code: 'INVALID_JSON' })
    await expect(nodes.run('http.request', { url: `${server.origin}/x`, body: { type: 'text', value: 'no' } })).rejects.toMatchObject({ code: 'INVALID_BODY' })
  })

  it('fails on an error status unless told not to, and follows allowed redirects', async () => {
    const server = await startLocalServer((req, res) => {
      if (req.url === '/moved') res.writeHead(301, { location: '/missing' }).end()
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"nope"}')
    })
    const nodes = await setup(server)
    await expect(nodes.run('http.request', { url: `${server.origin}/missing` })).rejects.toMatchObject({ code: 'HTTP_STATUS', status: 404 })
    const kept = await nodes.run('http.request', { url: `${server.origin}/moved`, failOnStatus: false })
    expect(kept.outputs).toMatchObject({ status: 404, ok: false, body: { error: 'nope' }, url: `${server.origin}/missing` })
  })

  it('retries a failing status with backoff, honouring Retry-After, until it succeeds or attempts run out', async () => {
    let calls = 0
    const server = await startLocalServer((_req, res) => {
      calls++
      if (calls === 1) res.writeHead(503, { 'retry-after': '0' }).end()
      else if (calls === 2) res.writeHead(500).end()
      else res.end('third time')
    })
    const nodes = await setup(server)
    const run = await nodes.run('http.request', { url: `${server.origin}/flaky`, retries: 3, retryDelayMs: 1 })
    expect(run.outputs).toMatchObject({ status: 200, body: 'third time', attempts: 3 })
    expect(run.logs.filter((log) => log.message.startsWith('Retrying'))).toHaveLength(2)
    calls = 0
    await expect(nodes.run('http.request', { url: `${server.origin}/flaky`, retries: 1, retryDelayMs: 1 })).rejects.toMatchObject({ code: 'HTTP_STATUS', status: 500 })
  })

  it('stops an attempt at its time limit (REQUEST_TIMEOUT), retrying first when asked', async () => {
    const server = await startLocalServer(() => {
      // never answers
    })
    const nodes = await setup(server)
    await expect(nodes.run('http.request', { url: `${server.origin}/slow`, timeoutMs: 50 })).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' })
    const before = server.requests.length
    await expect(nodes.run('http.request', { url: `${server.origin}/slow`, timeoutMs: 50, retries: 1, retryDelayMs: 1 })).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' })
    expect(server.requests.length - before).toBe(2)
  })

  it('cancels the request in flight when the run is cancelled: the server sees the connection close', async () => {
    const server = await startLocalServer(() => {
      // holds the request open
    })
    const nodes = await setup(server)
    const controller = new AbortController()
    const running = nodes.run('http.request', { url: `${server.origin}/hold`, timeoutMs: 60_000 }, { signal: controller.signal })
    await server.received(1)
    controller.abort(new Error('run cancelled'))
    await expect(running).rejects.toThrow('run cancelled')
    await server.closedConnections(1)
  })

  it('refuses a response larger than the cap, and a network failure is NETWORK_ERROR', async () => {
    const server = await startLocalServer((_req, res) => res.end('x'.repeat(5000)))
    const nodes = await setup(server, { maxResponseBytes: 1024 })
    await expect(nodes.run('http.request', { url: `${server.origin}/big` })).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' })
    const gone = await startLocalServer(() => {})
    await gone.close()
    await nodes.configure('http', { allowedHosts: ['127.0.0.1'] })
    await expect(nodes.run('http.request', { url: `${gone.origin}/` })).rejects.toMatchObject({ code: 'NETWORK_ERROR' })
  })

  it('validates its settings: a malformed host pattern is refused with its path', async () => {
    const nodes = await createNodeTypeHost({ plugins: [httpPlugin] })
    await expect(nodes.configure('http', { allowedHosts: ['http://bad/'] })).rejects.toMatchObject({ code: 'INVALID_PARAMS' })
  })
})
