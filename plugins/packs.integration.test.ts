// The node packs with the real node and system plugins, through a renderer's client: their types in the
// catalog, the safe default policy, settings saved through `system`, a chain of real work (fetch JSON from a
// local server, transform it in code, map it, format CSV, write it into a granted folder), cancellation reaching
// the request, the child process group, running code in the sandbox and the sandbox's loop, and a pack switched off withdrawing its types.
import { describe, expect, it } from 'vitest'
import { createTempFolder, createTestHost, isProcessRunning, nodeExecutable, startLocalServer } from '@atomiton/plugin-sdk/testing'
import { builtinPlugins } from './index'

async function start() {
  const t = await createTestHost({ plugins: builtinPlugins })
  return { t, client: t.client }
}

type Client = Awaited<ReturnType<typeof start>>['client']

async function finalState(client: Client, executionId: string) {
  const done = new Promise<void>((resolve) => {
    const off = client.$on('node.status', (status) => {
      if (status.executionId === executionId && ['succeeded', 'failed', 'cancelled'].includes(status.state)) {
        off()
        resolve()
      }
    })
  })
  const record = await client.node.getStatus({ executionId })
  if (record.state === 'pending' || record.state === 'running') await done
  return client.node.getStatus({ executionId })
}

describe('node packs on the real node plugin', () => {
  it('lists every pack\'s node types, owned by its plugin', async () => {
    const { client } = await start()
    const { types } = await client.node.listTypes()
    const owners = Object.fromEntries(types.map((type) => [type.id, type.owner]))
    expect(owners).toMatchObject({ 'http.request': 'http', 'files.write': 'files', 'shell.run': 'shell', 'code.run': 'code', 'data.csv-parse': 'data', 'data.map': 'data' })
  })

  it('is safe by default: no host allowed, no folder granted, shell off', async () => {
    const server = await startLocalServer((_req, res) => res.end('{}'))
    const folder = await createTempFolder()
    const { client } = await start()
    const http = await client.node.execute({ type: 'http.request', inputs: { url: `${server.origin}/` } })
    expect(http).toMatchObject({ state: 'failed', error: { code: 'HOST_NOT_ALLOWED' } })
    const files = await client.node.execute({ type: 'files.write', inputs: { path: folder.join('x.txt'), content: 'x' } })
    expect(files).toMatchObject({ state: 'failed', error: { code: 'PATH_NOT_ALLOWED' } })
    const shell = await client.node.execute({ type: 'shell.run', inputs: { program: nodeExecutable, cwd: folder.path } })
    expect(shell).toMatchObject({ state: 'failed', error: { code: 'SHELL_DISABLED' } })
    expect(server.requests).toHaveLength(0)
    expect(folder.list()).toEqual([])
    for (const id of ['http', 'files', 'shell']) {
      const settings = await client.system.getPluginSettings({ id })
      expect(settings.values).toMatchObject(id === 'http' ? { allowedHosts: [] } : id === 'files' ? { folders: [] } : { enabled: false, folders: [] })
    }
  })

  it('fetches JSON, transforms it in code, maps it, formats CSV and writes it into a granted folder', async () => {
    const server = await startLocalServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ items: [{ id: 1, name: 'Ada', score: 90 }, { id: 2, name: 'Alan', score: 40 }, { id: 3, name: 'Grace', score: 75 }] }))
    })
    const folder = await createTempFolder()
    const { client } = await start()
    await client.system.setPluginSettings({ id: 'http', values: { allowedHosts: [`127.0.0.1:${server.port}`] } })
    await client.system.setPluginSettings({ id: 'files', values: { folders: [folder.path] } })

    const fetched = await client.node.execute({ type: 'http.request', inputs: { url: `${server.origin}/people` } })
    expect(fetched.state).toBe('succeeded')
    const body = (fetched.outputs as { body: unknown }).body
    const transformed = await client.node.execute({ type: 'code.run', inputs: { code: 'return input.items.filter((item) => item.score >= 50)', input: body as never } })
    expect(transformed).toMatchObject({ state: 'succeeded', outputs: { result: [{ name: 'Ada' }, { name: 'Grace' }] } })
    const mapped = await client.node.execute({
      type: 'data.map',
      inputs: { items: (transformed.outputs as { result: never[] }).result, expression: '({ id: item.id, name: item.name.toUpperCase(), passed: item.score >= 50 })' },
    })
    expect(mapped.state).toBe('succeeded')
    const csv = await client.node.execute({ type: 'data.csv-format', inputs: { rows: (mapped.outputs as { items: never[] }).items } })
    const written = await client.node.execute({ type: 'files.write', inputs: { path: folder.join('people.csv'), content: (csv.outputs as { text: string }).text } })
    expect(written).toMatchObject({ state: 'succeeded', outputs: { path: folder.join('people.csv') } })
    expect(folder.read('people.csv')).toBe('id,name,passed\n1,ADA,true\n3,GRACE,true')
  })

  it('cancelling an execution aborts the HTTP request in flight', async () => {
    const server = await startLocalServer(() => {
      // holds the request open
    })
    const { client } = await start()
    await client.system.setPluginSettings({ id: 'http', values: { allowedHosts: ['127.0.0.1'] } })
    const { executionId } = await client.node.start({ type: 'http.request', inputs: { url: `${server.origin}/hold`, timeoutMs: 120_000 } })
    await server.received(1)
    await expect(client.node.cancel({ executionId })).resolves.toEqual({ cancelled: true })
    await server.closedConnections(1)
    await expect(finalState(client, executionId)).resolves.toMatchObject({ state: 'cancelled' })
  })

  it('cancelling an execution kills the program\'s process group', async () => {
    const server = await startLocalServer((_req, res) => res.end())
    const folder = await createTempFolder()
    const { client } = await start()
    await client.system.setPluginSettings({ id: 'shell', values: { enabled: true, folders: [folder.path] } })
    const script = [
      "const child = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'inherit', 'inherit'] })",
      `fetch('${server.origin}/?pid=' + child.pid).catch(() => {})`,
      'setInterval(() => {}, 1000)',
    ].join('\n')
    const { executionId } = await client.node.start({ type: 'shell.run', inputs: { program: nodeExecutable, args: ['-e', script], cwd: folder.path } })
    const report = await server.received(1)
    const grandchild = Number(new URL(report.url, server.origin).searchParams.get('pid'))
    expect(isProcessRunning(grandchild)).toBe(true)
    await client.node.cancel({ executionId })
    await expect(finalState(client, executionId)).resolves.toMatchObject({ state: 'cancelled' })
    // the record is cancelled at once; the process group is killed by the node's abort, its pipes then close
    await expect.poll(() => isProcessRunning(grandchild)).toBe(false)
  })

  it('cancelling an execution stops code that is running (`while (true) {}`), long before its time limit', async () => {
    const { client } = await start()
    await client.system.setPluginSettings({ id: 'code', values: { timeoutMs: 30_000 } })
    const { executionId } = await client.node.start({ type: 'code.run', inputs: { code: 'while (true) {}', timeoutMs: 30_000 } })
    await expect.poll(async () => (await client.node.getStatus({ executionId })).state).toBe('running')
    const asked = Date.now()
    await client.node.cancel({ executionId })
    await expect(finalState(client, executionId)).resolves.toMatchObject({ state: 'cancelled' })
    expect(Date.now() - asked).toBeLessThan(15_000)
    // The sandbox keeps serving.
    await expect(client.node.execute({ type: 'code.run', inputs: { code: 'return 6 * 7' } })).resolves.toMatchObject({ state: 'succeeded', outputs: { result: 42 } })
  })

  it('cancelling an execution stops a sandbox loop between items', async () => {
    const { client } = await start()
    const items = Array.from({ length: 20_000 }, (_, index) => index)
    const { executionId } = await client.node.start({ type: 'data.map', inputs: { items, expression: 'item * 2' } })
    await client.node.cancel({ executionId })
    await expect(finalState(client, executionId)).resolves.toMatchObject({ state: 'cancelled' })
  })

  it('a pack switched off withdraws its node types; switched on, they are back', async () => {
    const { t, client } = await start()
    await t.host.plugins.disable('shell')
    expect((await client.node.listTypes()).types.map((type) => type.id)).not.toContain('shell.run')
    await expect(client.node.execute({ type: 'shell.run', inputs: {} })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await t.host.plugins.enable('shell')
    expect((await client.node.listTypes()).types.map((type) => type.id)).toContain('shell.run')
  })
})
