// code.run in the real WebAssembly sandbox: JSON in and out, errors with line numbers, the time and memory
// limits from the settings, cancellation, and no reach into the host.
import { describe, expect, it } from 'vitest'
import { createNodeTypeHost } from '@atomiton/plugin-sdk/testing'
import { codePlugin } from '../index'

async function setup(settings: Record<string, unknown> = {}) {
  const nodes = await createNodeTypeHost({ plugins: [codePlugin] })
  if (Object.keys(settings).length > 0) await nodes.configure('code', settings)
  return nodes
}

describe('code.run', () => {
  it('transforms its input with the person\'s code and outputs the JSON it returns', async () => {
    const nodes = await setup()
    expect(nodes.types().get('code.run')?.owner).toBe('code')
    const run = await nodes.run('code.run', {
      code: 'const total = input.items.reduce((sum, item) => sum + item.price, 0)\nreturn { count: input.items.length, total }',
      input: { items: [{ price: 2 }, { price: 3.5 }] },
    })
    expect(run.outputs).toEqual({ result: { count: 2, total: 5.5 } })
    await expect(nodes.run('code.run', { code: 'const unused = 1' })).resolves.toMatchObject({ outputs: { result: null } })
  })

  it('reports the script\'s errors with their line and column, at the `code` field', async () => {
    const nodes = await setup()
    await expect(nodes.run('code.run', { code: 'const a = 1\n\nreturn input.missing.field' })).rejects.toMatchObject({
      code: 'SCRIPT_ERROR',
      line: 3,
      issues: [{ path: ['code'], message: expect.stringMatching(/^line 3, column \d+: cannot read property/) }],
    })
    await expect(nodes.run('code.run', { code: 'return {' })).rejects.toMatchObject({ code: 'SCRIPT_ERROR', line: 1 })
    await expect(nodes.run('code.run', { code: 'return () => 1' })).rejects.toMatchObject({ code: 'SCRIPT_ERROR', message: expect.stringContaining('function') })
  })

  it('stops an endless loop at the time limit of the settings, and a memory bomb at the memory limit', async () => {
    const nodes = await setup({ timeoutMs: 100, memoryMb: 32 })
    await expect(nodes.run('code.run', { code: 'while (true) {}' })).rejects.toMatchObject({ code: 'SCRIPT_TIMEOUT' })
    await nodes.configure('code', { timeoutMs: 20_000, memoryMb: 32 })
    await expect(nodes.run('code.run', { code: 'const a = []; while (true) a.push("x".repeat(4096) + a.length)' })).rejects.toMatchObject({ code: 'SCRIPT_RESOURCE_EXHAUSTED' })
    await expect(nodes.run('code.run', { code: 'return 1 + 1' })).resolves.toMatchObject({ outputs: { result: 2 } })
  })

  it('a node cannot ask for more time than the settings allow', async () => {
    const nodes = await setup({ timeoutMs: 50 })
    await expect(nodes.run('code.run', { code: 'while (true) {}', timeoutMs: 30_000 })).rejects.toMatchObject({ code: 'SCRIPT_TIMEOUT', message: expect.stringContaining('50 ms') })
  })

  it('a cancelled run does not start the code', async () => {
    const nodes = await setup()
    const controller = new AbortController()
    controller.abort(new Error('run cancelled'))
    await expect(nodes.run('code.run', { code: 'return 1' }, { signal: controller.signal })).rejects.toThrow('run cancelled')
  })

  it('reaches nothing of the host', async () => {
    const nodes = await setup()
    await expect(nodes.run('code.run', { code: 'return [typeof require, typeof process, typeof fetch, typeof globalThis.setTimeout]' })).resolves.toMatchObject({
      outputs: { result: ['undefined', 'undefined', 'undefined', 'undefined'] },
    })
  })

  it('is disposed with the plugin: disabled, its node type is gone', async () => {
    const nodes = await setup()
    await nodes.run('code.run', { code: 'return 1' })
    await nodes.test.host.plugins.disable('code')
    expect(nodes.types().has('code.run')).toBe(false)
  })
})
