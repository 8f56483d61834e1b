// The end-to-end workflow of issue 12, in the project's tests (the editor's Chromium test drives the same
// through the UI): one saved workflow, run by the workflow plugin with every built-in plugin, that fetches JSON
// from a local HTTP server on 127.0.0.1, transforms it in code (the real sandbox), loops over its items (a body
// workflow per item), formats a CSV and writes it into a granted temporary folder; each node's output is in
// the recorded run, read back from the history.
import { describe, expect, it } from 'vitest'
import { createTempFolder, createTestHost, startLocalServer } from '@atomiton/plugin-sdk/testing'
import { builtinPlugins } from './index'
import type { RunFinishedPayload } from './workflow/src/index'
import { edge } from './workflow-host'

const people = [
  { id: 1, name: 'Ada', score: 90 },
  { id: 2, name: 'Alan', score: 40 },
  { id: 3, name: 'Grace', score: 75 },
]

describe('fetch -> code -> loop -> CSV -> file, as one recorded run', () => {
  it('runs every node for real and records each one’s output', async () => {
    const server = await startLocalServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ items: people }))
    })
    const folder = await createTempFolder()
    const { client } = await createTestHost({ plugins: builtinPlugins })
    const finished: RunFinishedPayload[] = []
    const waiting = new Map<string, () => void>()
    const off = client.$on('workflow.runFinished', (payload) => {
      finished.push(payload)
      waiting.get(payload.runId)?.()
    })
    await off.ready
    await client.system.setPluginSettings({ id: 'http', values: { allowedHosts: [`127.0.0.1:${server.port}`] } })
    await client.system.setPluginSettings({ id: 'files', values: { folders: [folder.path] } })

    // The loop's body: { item, index } -> a CSV row, in the sandbox.
    const { id: rowWorkflow } = await client.workflow.create({
      workflow: {
        name: 'row',
        nodes: [
          { id: 'in', type: 'flow.input' },
          { id: 'row', type: 'code.run', inputs: { code: 'return { rank: input.index + 1, name: input.item.name.toUpperCase(), score: input.item.score }' } },
          { id: 'out', type: 'flow.output' },
        ],
        edges: [edge('in', 'value', 'row', 'input'), edge('row', 'result', 'out', 'value')],
      },
    })
    const { id } = await client.workflow.create({
      workflow: {
        name: 'people to CSV',
        nodes: [
          { id: 'fetch', type: 'http.request', inputs: { url: `${server.origin}/people` } },
          { id: 'passed', type: 'code.run', inputs: { code: 'return input.items.filter((person) => person.score >= 50)' } },
          { id: 'each', type: 'flow.loop', inputs: { workflowId: rowWorkflow } },
          { id: 'csv', type: 'data.csv-format' },
          { id: 'write', type: 'files.write', inputs: { path: folder.join('people.csv') } },
        ],
        edges: [
          edge('fetch', 'body', 'passed', 'input'),
          edge('passed', 'result', 'each', 'items'),
          edge('each', 'results', 'csv', 'rows'),
          edge('csv', 'text', 'write', 'content'),
        ],
      },
    })

    const { runId } = await client.workflow.run({ id })
    if (!finished.some((payload) => payload.runId === runId)) await new Promise<void>((resolve) => waiting.set(runId, resolve))
    const run = await client.workflow.getRun({ runId })

    expect(run.status).toBe('succeeded')
    expect(server.requests).toHaveLength(1)
    const csv = 'rank,name,score\n1,ADA,90\n2,GRACE,75'
    expect(folder.read('people.csv')).toBe(csv)
    // Each node's output, as the run recorded it.
    expect(run.nodes['fetch']).toMatchObject({ state: 'succeeded', outputs: { status: 200, body: { items: people } } })
    expect(run.nodes['passed']).toMatchObject({ state: 'succeeded', outputs: { result: [people[0], people[2]] } })
    expect(run.nodes['each']).toMatchObject({
      state: 'succeeded',
      inputs: { items: [people[0], people[2]] },
      outputs: { results: [{ rank: 1, name: 'ADA', score: 90 }, { rank: 2, name: 'GRACE', score: 75 }] },
    })
    expect(run.nodes['csv']).toMatchObject({ state: 'succeeded', outputs: { text: csv } })
    expect(run.nodes['write']).toMatchObject({ state: 'succeeded', inputs: { content: csv }, outputs: { path: folder.join('people.csv') } })
    // And the run is in the history's list.
    expect((await client.workflow.listRuns({ workflowId: id })).runs).toEqual([expect.objectContaining({ runId, status: 'succeeded' })])
    await server.close()
  })
})
