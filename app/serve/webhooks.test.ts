// Browser mode's local webhook, for real: the built-in plugins on conf stores in a temporary folder, and
// HTTP requests on 127.0.0.1 to POST /hooks/<workflow id>.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryLogger } from '@atomiton/core/host/logger'
import { startServer, type RunningServer } from './server'
import { MAX_WEBHOOK_BODY_BYTES } from './webhooks'

let workDir: string
let server: RunningServer
const logger = createMemoryLogger('debug')

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'atomiton-hooks-'))
  await mkdir(join(workDir, 'renderer'), { recursive: true })
  await writeFile(join(workDir, 'renderer', 'index.html'), '<!doctype html><title>atomiton</title>')
  server = await startServer({ dataDir: join(workDir, 'data'), rendererDir: join(workDir, 'renderer'), heartbeatMs: 0, logger })
})

afterAll(async () => {
  await server.close()
  await rm(workDir, { recursive: true, force: true })
})

function post(path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) {
  return new Promise<{ status: number; body: any; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: options.method ?? 'POST', headers: { Host: `127.0.0.1:${server.port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const json = String(res.headers['content-type']).startsWith('application/json')
        resolve({ status: res.statusCode ?? 0, body: json ? JSON.parse(text) : text, headers: res.headers })
      })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

async function hookedWorkflow(): Promise<{ id: string; token: string }> {
  const saved = (await server.host.call('workflow.create', {
    workflow: {
      name: 'hook',
      nodes: [
        { id: 'in', type: 'flow.input' },
        { id: 'say', type: 'core.log', inputs: { message: 'got' } },
      ],
      edges: [{ from: { node: 'in', output: 'value' }, to: { node: 'say', input: 'value' } }],
      triggers: [{ type: 'webhook' }],
    },
  })) as { id: string; triggers: { token: string }[] }
  return { id: saved.id, token: saved.triggers[0]!.token }
}

describe('POST /hooks/<workflow id>', () => {
  it('starts a run with the JSON body as the workflow input; the run is in the history', async () => {
    const { id, token } = await hookedWorkflow()
    const answer = await post(`/hooks/${id}`, { headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ order: 7 }) })
    expect(answer).toMatchObject({ status: 202, body: { runId: expect.any(String) } })
    const runId = answer.body.runId as string
    await expect.poll(async () => ((await server.host.call('workflow.getRun', { runId })) as { status: string }).status).toBe('succeeded')
    await expect(server.host.call('workflow.getRun', { runId })).resolves.toMatchObject({ trigger: { type: 'webhook' }, nodes: { say: { outputs: { value: { order: 7 } } } } })
    // The token in the query works too, and is never logged.
    expect((await post(`/hooks/${id}?token=${token}`)).status).toBe(202)
    expect(JSON.stringify(logger.entries)).not.toContain(token)
  })

  it('refuses what it must, with the status and a code, and keeps serving', async () => {
    const { id, token } = await hookedWorkflow()
    const auth = { Authorization: `Bearer ${token}` }
    expect(await post(`/hooks/${id}`)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } })
    expect(await post(`/hooks/${id}`, { headers: { Authorization: `Bearer ${'x'.repeat(32)}` } })).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
    expect(await post(`/hooks/not-a-workflow`, { headers: auth })).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
    expect(await post(`/hooks/${id}`, { method: 'GET', headers: auth })).toMatchObject({ status: 405, headers: { allow: 'POST' } })
    expect(await post(`/hooks/${id}`, { headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"broken' })).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } })
    expect(await post(`/hooks/${id}`, { headers: { ...auth, 'Content-Type': 'text/plain' }, body: 'hi' })).toMatchObject({ status: 415 })
    expect(await post(`/hooks/${id}`, { headers: { ...auth, 'Content-Type': 'application/json' }, body: Buffer.alloc(MAX_WEBHOOK_BODY_BYTES + 1, 32) })).toMatchObject({ status: 413 })
    expect(await post(`/hooks/`, { headers: auth })).toMatchObject({ status: 404 })
    expect(await post(`/hooks/${id}`, { headers: { ...auth, Host: 'evil.example' } })).toMatchObject({ status: 421 })
    expect((await post(`/hooks/${id}`, { headers: auth })).status).toBe(202)
  })
})
