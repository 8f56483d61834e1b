// Type tests: another plugin (or a package) calls the workflow plugin through its contract in the SDK, typed
// end to end, without importing the workflow plugin's code.
import { describe, expectTypeOf, it } from 'vitest'
import { createRPCClient, definePlugin, type AtomitonBridge } from '@atomiton/plugin-sdk'
import { workflowContract } from '@atomiton/plugin-sdk/contracts'
import type { RunStatus, StoredWorkflow } from '@atomiton/plugin-sdk/contracts/workflow'

describe('the workflow contract', () => {
  it('types ctx.call and ctx.client of another plugin', () => {
    definePlugin({
      id: 'nightly',
      version: '1.0.0',
      permissions: ['workflow.run', 'workflow.read'],
      procedures: (p) => ({
        start: p.procedure({
          handler: async (_input, ctx) => {
            const { runId } = await ctx.call(workflowContract.procedures.run, { id: 'report' })
            expectTypeOf(runId).toEqualTypeOf<string>()
            const run = await ctx.client(workflowContract).getRun({ runId })
            expectTypeOf(run.status).toEqualTypeOf<RunStatus>()
            expectTypeOf(await ctx.client(workflowContract).get({ id: 'report' })).toEqualTypeOf<StoredWorkflow>()
            await ctx.call(workflowContract.procedures.run, { id: 'report', inputs: { a: { value: 1 } }, from: { runId, nodeId: 'a' } })
            // @ts-expect-error the workflow id is a string
            await ctx.call(workflowContract.procedures.run, { id: 1 })
            // @ts-expect-error `run` needs the workflow id
            await ctx.call(workflowContract.procedures.run, {})
            // @ts-expect-error no such procedure in the contract
            await ctx.call(workflowContract.procedures.pause, { runId })
            // @ts-expect-error a run id, not a workflow id
            await ctx.client(workflowContract).cancel({ id: 'report' })
            return run.status
          },
        }),
      }),
    })
  })

  it('types a renderer client: exposed procedures and events only', () => {
    const rpc = createRPCClient<typeof workflowContract>({} as AtomitonBridge)
    expectTypeOf(rpc.workflow.list()).resolves.toHaveProperty('workflows')
    rpc.$on('workflow.runFinished', (payload) => expectTypeOf(payload.status).toEqualTypeOf<'succeeded' | 'failed' | 'cancelled'>())
    // @ts-expect-error `webhook` is for browser mode's server, not exposed to renderers
    void rpc.workflow.webhook({ id: 'a', token: 'b' })
    // @ts-expect-error unknown event
    rpc.$on('workflow.paused', () => undefined)
  })
})
