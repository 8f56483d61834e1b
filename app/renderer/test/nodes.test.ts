import { describe, expect, it, vi } from 'vitest'
import { useNodesStore } from '../src/stores/nodes'
import { rendererOnHost } from './host'

describe('the nodes store', () => {
  it('loads the node types and runs one to its outputs', async () => {
    await rendererOnHost()
    const nodes = useNodesStore()
    await nodes.start()
    expect(nodes.types.map((type) => type.id)).toContain('math.arithmetic')
    // one group per category, in the order the (id-sorted) types first show it
    expect(nodes.byCategory.map((group) => group.category)).toEqual([...new Set(nodes.types.map((type) => type.category ?? 'other'))])
    expect(nodes.byCategory.map((group) => group.category)).toEqual(expect.arrayContaining(['core', 'json', 'math', 'text']))

    await nodes.execute('math.arithmetic', { op: 'power', a: 2, b: 10 })
    expect(nodes.run).toMatchObject({ phase: 'succeeded', record: { outputs: { result: 1024 } }, fieldIssues: [] })
    expect(nodes.running).toBe(false)
  })

  it('puts INVALID_PARAMS issues at the inputs they name', async () => {
    await rendererOnHost()
    const nodes = useNodesStore()
    await nodes.execute('math.arithmetic', { op: 'add', a: 'one' })
    expect(nodes.run?.phase).toBe('rejected')
    expect(nodes.run?.error?.code).toBe('INVALID_PARAMS')
    expect(nodes.run?.fieldIssues.map((issue) => issue.path)).toEqual([['a'], ['b']])
  })

  it('puts a failed node’s own error on the run, and cancels a long one', async () => {
    await rendererOnHost()
    const nodes = useNodesStore()
    await nodes.execute('math.arithmetic', { op: 'divide', a: 1, b: 0 })
    expect(nodes.run).toMatchObject({ phase: 'failed', error: { code: 'DIVISION_BY_ZERO' } })

    const running = nodes.execute('core.delay', { ms: 60_000 })
    await vi.waitFor(() => expect(nodes.run?.phase).toBe('running'))
    nodes.cancel()
    await running
    expect(nodes.run).toMatchObject({ phase: 'cancelled', error: { code: 'CANCELLED' } })
  })
})
