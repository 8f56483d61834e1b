import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { definePlugin } from '../src/plugin/definition'
import { mathPlugin } from './fixtures'

describe('discovery', () => {
  it('lists plugins and what this caller may call, with JSON Schemas of inputs and outputs', async () => {
    // Events need their own grant (by default `<plugin>.<event>`), so `math.use` alone hides them.
    const t = await createTestHost({ plugins: [mathPlugin], grants: ['math.use', 'math.computed'] })
    const catalog = await t.client.rpc.discover()
    const math = catalog.plugins.find((p) => p.id === 'math')!
    expect(math).toMatchObject({ id: 'math', version: '1.2.0', state: 'active', description: 'Arithmetic for tests' })
    expect(math.procedures.map((p) => p.method).sort()).toEqual(['math.add', 'math.emitSecret', 'math.nested', 'math.now'])
    const add = math.procedures.find((p) => p.name === 'add')!
    expect(add).toMatchObject({ description: 'Adds two numbers', permission: 'math.use', exposed: true })
    expect(add.input).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] })
    expect(add.output).toMatchObject({ type: 'object', properties: { sum: { type: 'number' } } })
    expect(math.events.map((e) => e.event)).toEqual(['math.computed'])
  })

  it('describes inputs as a form needs them: defaults are optional', async () => {
    const plugin = definePlugin({
      id: 'form',
      version: '1.0.0',
      procedures: (p) => ({ go: p.procedure({ expose: true, input: z.object({ n: z.number().default(3), s: z.string() }), handler: ({ n }) => n }) }),
    })
    const t = await createTestHost({ plugins: [plugin] })
    const catalog = await t.client.rpc.discover()
    const go = catalog.plugins.find((p) => p.id === 'form')!.procedures[0]!
    expect(go.input).toMatchObject({ required: ['s'], properties: { n: { type: 'number', default: 3 } } })
    await expect(t.client.form.go({ s: 'x' })).resolves.toBe(3)
  })

  it('reflects toggles, and tells subscribers that the catalog changed', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const changes: unknown[] = []
    await t.client.$on('rpc.catalogChanged', (c) => changes.push(c)).ready
    await t.host.plugins.disable('math')
    let catalog = await t.client.rpc.discover()
    expect(catalog.plugins.find((p) => p.id === 'math')).toMatchObject({ state: 'disabled', procedures: [], events: [] })
    await expect.poll(() => changes).toEqual([{ plugin: 'math', state: 'disabled' }])
    await t.host.plugins.enable('math')
    catalog = await t.client.rpc.discover()
    expect(catalog.plugins.find((p) => p.id === 'math')!.procedures.length).toBeGreaterThan(0)
    await expect.poll(() => changes).toHaveLength(2)
  })

  it('shows a failed plugin with its error', async () => {
    const broken = definePlugin({ id: 'broken', version: '2.0.0', setup: () => Promise.reject(new Error('no licence')) })
    const t = await createTestHost({ plugins: [broken] })
    const catalog = await t.client.rpc.discover()
    expect(catalog.plugins.find((p) => p.id === 'broken')).toMatchObject({ state: 'failed', error: { message: 'no licence' } })
  })

  it('shows main callers the procedures renderers cannot see', async () => {
    const t = await createTestHost({ plugins: [mathPlugin] })
    const renderer = (await t.client.rpc.discover()).plugins.find((p) => p.id === 'math')!
    const main = (await t.connectMain().client.rpc.discover()).plugins.find((p) => p.id === 'math')!
    expect(renderer.procedures.some((p) => p.name === 'internal')).toBe(false)
    expect(main.procedures.find((p) => p.name === 'internal')).toMatchObject({ exposed: false })
  })
})
