// Triggers on the real node and storage plugins: a schedule firing (croner, real time), the checks of
// schedules, and the webhook procedure that browser mode's server calls (app/serve tests the HTTP side).
import { describe, expect, it } from 'vitest'
import { edge, startWorkflowHost } from './workflow-host'

async function start() {
  const { t, client, finished } = await startWorkflowHost()
  return { t, client, main: t.connectMain().client, finished }
}

const echo = {
  name: 'echo',
  nodes: [
    { id: 'in', type: 'flow.input' },
    { id: 'say', type: 'core.log', inputs: { message: 'got' } },
  ],
  edges: [edge('in', 'value', 'say', 'value')],
}

describe('schedule', () => {
  it('fires while the app runs; the runs are in the history with their trigger', async () => {
    const { client, finished } = await start()
    const tick = { name: 'tick', nodes: [{ id: 'c', type: 'core.constant', inputs: { value: 1 } }], edges: [] }
    const { id } = await client.workflow.create({ workflow: { ...tick, triggers: [{ type: 'schedule', cron: '* * * * * *' }] } })
    // Every second (croner's six-field pattern): wait for the real firing.
    await expect.poll(() => finished.filter((f) => f.workflowId === id).length, { timeout: 5000 }).toBeGreaterThan(0)
    const { runs } = await client.workflow.listRuns({ workflowId: id })
    expect(runs[0]).toMatchObject({ status: 'succeeded', trigger: { type: 'schedule', scheduledFor: expect.any(Number) } })
  })

  it('refuses a pattern or a time zone croner cannot run, at their paths', async () => {
    const { client } = await start()
    const error = await client.workflow
      .create({ workflow: { ...echo, triggers: [{ type: 'schedule', cron: 'every tuesday' }, { type: 'schedule', cron: '0 9 * * *', timezone: 'Mars/Olympus' }] } })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'INVALID_PARAMS',
      data: {
        issues: [
          { path: ['workflow', 'triggers', 0, 'cron'], code: 'invalid-trigger' },
          { path: ['workflow', 'triggers', 1, 'timezone'], code: 'invalid-trigger', message: expect.stringContaining('Mars/Olympus') },
        ],
      },
    })
  })
})

describe('webhook', () => {
  it('gets a token when saved, keeps it on update, and starts a run with the body as the workflow input', async () => {
    const { client, main, finished } = await start()
    const saved = await client.workflow.create({ workflow: { ...echo, triggers: [{ type: 'webhook' }] } })
    const token = saved.triggers?.[0]?.type === 'webhook' ? saved.triggers[0].token : undefined
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    const updated = await client.workflow.update({ id: saved.id, workflow: { ...echo, name: 'renamed', triggers: [{ type: 'webhook' }] } })
    expect(updated.triggers).toEqual([{ type: 'webhook', token }])

    const { runId } = await main.workflow.webhook({ id: saved.id, token: token!, body: { hello: 'world' } })
    await expect.poll(() => finished.find((f) => f.runId === runId)).toMatchObject({ status: 'succeeded' })
    const run = await client.workflow.getRun({ runId })
    expect(run).toMatchObject({ trigger: { type: 'webhook' }, inputs: { in: { value: { hello: 'world' } } } })
    expect(run.nodes['say']?.outputs).toEqual({ value: { hello: 'world' } })
  })

  it('answers FORBIDDEN alike for a wrong token, a workflow without a webhook and an unknown workflow', async () => {
    const { client, main } = await start()
    const hooked = await client.workflow.create({ workflow: { ...echo, triggers: [{ type: 'webhook' }] } })
    const plain = await client.workflow.create({ workflow: echo })
    for (const id of [hooked.id, plain.id, 'nope']) {
      await expect(main.workflow.webhook({ id, token: 'x'.repeat(32) })).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'No webhook for that workflow and token' })
    }
    // Renderers cannot call it at all.
    await expect((client.workflow as unknown as { webhook(p: unknown): Promise<unknown> }).webhook({ id: hooked.id, token: 'x' })).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' })
  })
})
