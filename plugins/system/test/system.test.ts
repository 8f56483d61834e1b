import { describe, expect, it } from 'vitest'
import { definePlugin } from '@atomiton/plugin-sdk'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { systemPlugin } from '../index'

const simple = (id: string, dependencies: string[] = [], fail = false) =>
  definePlugin({
    id,
    version: '1.0.0',
    dependencies,
    procedures: (p) => ({ ping: p.procedure({ expose: true, handler: () => id }) }),
    setup: () => {
      if (fail) throw new Error(`${id} could not start`)
    },
  })

const plugins = [systemPlugin, simple('node'), simple('storage'), simple('workflow', ['node', 'storage']), simple('broken', [], true)] as const

describe('system.health', () => {
  it('reports each plugin’s state, and degraded while one has failed', async () => {
    const { client } = await createTestHost({ plugins })
    const health = await client.system.health()
    expect(health.status).toBe('degraded')
    expect(health.plugins).toEqual(
      expect.arrayContaining([
        { id: 'system', state: 'active' },
        { id: 'workflow', state: 'active' },
        { id: 'broken', state: 'failed', error: { message: 'broken could not start', code: 'ACTIVATION_FAILED' } },
      ]),
    )
    const healthy = await createTestHost({ plugins: [systemPlugin, simple('node')] })
    expect((await healthy.client.system.health()).status).toBe('ok')
  })
})

describe('system.getInfo', () => {
  it('describes the app, its runtime, memory use and uptime', async () => {
    let now = 10_000
    const { client } = await createTestHost({
      plugins: [systemPlugin],
      clock: { now: () => now },
      runtime: { appName: 'Atomiton', appVersion: '1.2.3', mode: 'browser', startedAt: 4_000, versions: { node: '20.0.0', electron: '45.4.1' } },
    })
    now = 12_500
    const info = await client.system.getInfo()
    expect(info).toMatchObject({ appName: 'Atomiton', appVersion: '1.2.3', mode: 'browser', uptimeMs: 8_500, versions: { node: '20.0.0', electron: '45.4.1' } })
    expect(info.memory.rss).toBeGreaterThan(0)
    expect(info.platform).toBe(process.platform)
  })
})

describe('plugin management', () => {
  it('lists plugins with their dependencies and dependents', async () => {
    const { client } = await createTestHost({ plugins })
    const { plugins: list } = await client.system.listPlugins()
    expect(list.find((p) => p.id === 'node')).toMatchObject({ state: 'active', dependencies: [], dependents: ['workflow'] })
    expect(list.find((p) => p.id === 'system')).toMatchObject({ required: true })
  })

  it('refuses to disable a plugin others need, naming them, and cascades when asked, saying what changed', async () => {
    const { client } = await createTestHost({ plugins })
    await expect(client.system.disablePlugin({ id: 'node' })).rejects.toMatchObject({ code: 'CONFLICT', data: { dependents: ['workflow'] } })
    const result = await client.system.disablePlugin({ id: 'node', cascade: true })
    expect(result.changes.map((c) => `${c.id}:${c.from}->${c.to}`)).toEqual(['workflow:active->disabled', 'node:active->disabled'])
    expect(result.plugins.find((p) => p.id === 'node')?.state).toBe('disabled')
    await expect(client.$call('node.ping')).rejects.toMatchObject({ code: 'PLUGIN_DISABLED' })
    const back = await client.system.enablePlugin({ id: 'workflow', cascade: true })
    expect(back.changes.map((c) => `${c.id}:${c.to}`)).toEqual(['node:active', 'workflow:active'])
  })

  it('cannot disable itself', async () => {
    const { client } = await createTestHost({ plugins })
    await expect(client.system.disablePlugin({ id: 'system' })).rejects.toMatchObject({ code: 'CONFLICT', data: { required: true } })
  })

  it('answers bad input with a typed error naming the field', async () => {
    const { client } = await createTestHost({ plugins })
    await expect(client.$call('system.enablePlugin', {})).rejects.toMatchObject({ code: 'INVALID_PARAMS', data: { issues: [{ path: ['id'] }] } })
    await expect(client.$call('system.enablePlugin', { id: 'Not A Plugin!' })).rejects.toMatchObject({ data: { issues: [{ path: ['id'] }] } })
    await expect(client.$call('system.disablePlugin', { id: 'node', cascade: 'yes' })).rejects.toMatchObject({ data: { issues: [{ path: ['cascade'] }] } })
    await expect(client.system.enablePlugin({ id: 'ghost' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('requires the admin grant to toggle, and only the read grant to look', async () => {
    const t = await createTestHost({ plugins, grants: ['system.read'] })
    await expect(t.client.system.listPlugins()).resolves.toBeDefined()
    await expect(t.client.system.disablePlugin({ id: 'broken' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('announces every state change to subscribers', async () => {
    const { client } = await createTestHost({ plugins })
    const seen: unknown[] = []
    await client.$on('system.pluginChanged', (change) => seen.push(change)).ready
    await client.system.disablePlugin({ id: 'storage', cascade: true })
    await expect.poll(() => seen).toEqual([
      { id: 'workflow', from: 'active', to: 'disabled' },
      { id: 'storage', from: 'active', to: 'disabled' },
    ])
  })

  it('persists the choice, so a restart restores it', async () => {
    const first = await createTestHost({ plugins })
    await first.client.system.disablePlugin({ id: 'storage', cascade: true })
    const stores = first.host.container.cradle.stores
    await first.dispose()
    const second = await createTestHost({ plugins, stores })
    const states = Object.fromEntries((await second.client.system.listPlugins()).plugins.map((p) => [p.id, p.state]))
    expect(states).toMatchObject({ storage: 'disabled', workflow: 'disabled', node: 'active', system: 'active' })
  })
})
