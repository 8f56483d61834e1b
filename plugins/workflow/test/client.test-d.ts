// Type tests: what a renderer's typed client sees of the workflow plugin's runs, control types and triggers.
import { describe, expectTypeOf, it } from 'vitest'
import type { RpcClient } from '@atomiton/plugin-sdk'
import type { workflowPlugin } from '../src/index'

declare const client: RpcClient<readonly [typeof workflowPlugin]>

describe('workflow client types', () => {
  it('types runs, re-runs and their records', async () => {
    const { runId } = await client.workflow.run({ id: 'w', inputs: { node: { a: 1 } }, from: { runId: 'r', nodeId: 'n' } })
    expectTypeOf(runId).toEqualTypeOf<string>()
    // @ts-expect-error `from` names a node of a run
    await client.workflow.run({ id: 'w', from: { runId: 'r' } })
    // @ts-expect-error run inputs are per node
    await client.workflow.run({ id: 'w', inputs: { a: 1 } })

    const run = await client.workflow.getRun({ runId })
    expectTypeOf(run.status).toEqualTypeOf<'running' | 'succeeded' | 'failed' | 'cancelled'>()
    expectTypeOf(run.trigger.type).toEqualTypeOf<'manual' | 'schedule' | 'webhook' | 'subworkflow'>()
    const node = run.nodes['n']!
    expectTypeOf(node.state).toEqualTypeOf<'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped'>()
    expectTypeOf(node.logs).toEqualTypeOf<{ at: number; level: 'debug' | 'info' | 'warn' | 'error'; message: string }[]>()
    expectTypeOf(node.durationMs).toEqualTypeOf<number | undefined>()
    // @ts-expect-error the end of a node is `endedAt`
    void node.finishedAt
  })

  it('types triggers, control types and completion; the webhook procedure is not exposed', async () => {
    await client.workflow.create({ workflow: { name: 'w', nodes: [{ id: 'a', type: 't', retry: { attempts: 2 } }], edges: [], triggers: [{ type: 'schedule', cron: '0 9 * * *' }] } })
    // @ts-expect-error a schedule needs its cron pattern
    await client.workflow.create({ workflow: { name: 'w', nodes: [{ id: 'a', type: 't' }], edges: [], triggers: [{ type: 'schedule' }] } })
    const { types } = await client.workflow.controlTypes()
    expectTypeOf(types[0]!.branching).toEqualTypeOf<boolean>()
    const { paths } = await client.workflow.expressionPaths({ workflow: { name: 'w', nodes: [{ id: 'a', type: 't' }], edges: [] }, nodeId: 'a' })
    expectTypeOf(paths[0]!.expression).toEqualTypeOf<string>()
    // @ts-expect-error renderers do not see `webhook` (browser mode's server calls it in process)
    void client.workflow.webhook
  })
})
