// The workflow plugin with the real node and storage plugins (plugins/workflow/test uses fakes of them).
import { describe, expect, it } from 'vitest'
import { edge, startWorkflowHost } from './workflow-host'

async function start() {
  const { t, client, progress, finishedRun } = await startWorkflowHost()
  const runningCount = (runId: string) => progress.filter((p) => p.runId === runId && p.state === 'running').length
  return { t, client, progress, runningCount, finishedRun }
}

describe('workflow + node + storage', () => {
  it('validates against the real node catalog and saves through the real storage', async () => {
    const { t, client } = await start()
    const error = await client.workflow
      .create({
        workflow: {
          name: 'bad',
          nodes: [
            { id: 'text', type: 'text.template', inputs: { template: 'hi' } },
            { id: 'calc', type: 'math.arithmetic', inputs: { b: 1 } },
            { id: 'ghost', type: 'no.such' },
          ],
          edges: [edge('text', 'text', 'calc', 'a')],
        },
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'INVALID_PARAMS',
      data: {
        issues: [
          { path: ['workflow', 'nodes', 1, 'inputs', 'op'], code: 'missing-required-input' },
          { path: ['workflow', 'nodes', 2, 'type'], code: 'unknown-node-type' },
          { path: ['workflow', 'edges', 0], code: 'type-mismatch' },
        ],
      },
    })
    const saved = await client.workflow.create({
      workflow: { name: 'ok', nodes: [{ id: 'c', type: 'core.constant', inputs: { value: 1 } }], edges: [] },
    })
    await expect(t.connectMain().client.storage.keys({ namespace: 'workflow' })).resolves.toEqual([`workflows/${saved.id}`])
  })

  it('runs two parallel delay branches into an arithmetic node', async () => {
    const { client, progress, finishedRun } = await start()
    const { id } = await client.workflow.create({
      workflow: {
        name: 'calc',
        nodes: [
          { id: 'a', type: 'core.constant', inputs: { value: 2 } },
          { id: 'b', type: 'core.constant', inputs: { value: 5 } },
          { id: 'wa', type: 'core.delay', inputs: { ms: 5 } },
          { id: 'wb', type: 'core.delay', inputs: { ms: 5 } },
          { id: 'mul', type: 'math.arithmetic', inputs: { op: 'multiply' } },
        ],
        edges: [edge('a', 'value', 'wa', 'value'), edge('b', 'value', 'wb', 'value'), edge('wa', 'value', 'mul', 'a'), edge('wb', 'value', 'mul', 'b')],
      },
    })
    const { runId } = await client.workflow.run({ id })
    expect(await finishedRun(runId)).toEqual({ runId, workflowId: id, status: 'succeeded' })
    const run = await client.workflow.getRun({ runId })
    expect(run.nodes['mul']).toMatchObject({ state: 'succeeded', outputs: { result: 10 } })
    const mine = progress.filter((p) => p.runId === runId)
    expect(mine.at(-1)).toMatchObject({ nodeId: 'mul', state: 'succeeded', completed: 5, total: 5 })
  })

  it('fails the run with the real node error (DIVISION_BY_ZERO) and cancels the sibling delay', async () => {
    const { client, runningCount, finishedRun } = await start()
    const { id } = await client.workflow.create({
      workflow: {
        name: 'div',
        nodes: [
          { id: 'slow', type: 'core.delay', inputs: { ms: 60_000 } },
          { id: 'div', type: 'math.arithmetic', inputs: { op: 'divide', a: 1, b: 0 } },
        ],
        edges: [],
      },
    })
    const { runId } = await client.workflow.run({ id })
    expect(await finishedRun(runId)).toMatchObject({ status: 'failed', error: { nodeId: 'div', code: 'DIVISION_BY_ZERO' } })
    expect(runningCount(runId)).toBe(2)
    expect((await client.workflow.getRun({ runId })).nodes['slow']?.state).toBe('cancelled')
    const executions = await client.node.list()
    expect(executions.executions.find((e) => e.type === 'core.delay')?.state).toBe('cancelled')
  })

  it('cancel and a cascade disable of node both stop 60 s delays at once', async () => {
    const { t, client, runningCount, finishedRun } = await start()
    const { id } = await client.workflow.create({
      workflow: {
        name: 'long',
        nodes: [
          { id: 'd1', type: 'core.delay', inputs: { ms: 60_000 } },
          { id: 'd2', type: 'core.delay', inputs: { ms: 60_000 } },
        ],
        edges: [],
      },
    })
    const first = await client.workflow.run({ id })
    await expect.poll(() => runningCount(first.runId)).toBe(2)
    await expect(client.workflow.cancel(first)).resolves.toEqual({ cancelled: true })
    expect(await finishedRun(first.runId)).toMatchObject({ status: 'cancelled' })
    await expect.poll(async () => (await client.node.list()).executions.map((e) => e.state)).toEqual(['cancelled', 'cancelled'])

    const second = await client.workflow.run({ id })
    await expect.poll(() => runningCount(second.runId)).toBe(2)
    const result = await t.host.plugins.disable('node', { cascade: true })
    expect(result.changes.map((c) => `${c.id}:${c.to}`)).toEqual(['workflow:disabled', 'node:disabled'])
    expect(await finishedRun(second.runId)).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } })
  })
})
