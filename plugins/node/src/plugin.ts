/**
 * The `node` plugin: a registry of node types (the built-ins, plus the ones other plugins contribute to
 * the `node.types` extension point), and procedures to list them and to run one node, in the
 * foreground (`execute`) or in the background (`start`, `getStatus`, `cancel`, `list`), with a
 * `status` event on every state change and progress report.
 */
import { implement, type HostServices } from '@atomiton/plugin-sdk'
import { nodeContract, nodeTypes } from '@atomiton/plugin-sdk/contracts/node'
import { DEFAULT_LIST_LIMIT } from './schemas'
import { NodeService } from './service'

export const nodePlugin = implement(nodeContract, {
  version: '0.1.0',
  description: 'Node types (built-in and contributed by plugins) and their executions',
  // Its executions' timestamps; nothing else of the host.
  hostServices: ['clock'],
  services: {
    nodes: ({ logger, clock }: HostServices) => new NodeService({ logger, now: () => clock.now() }),
  },
  handlers: {
    listTypes: (_input, ctx) => ({ types: ctx.services.nodes.listTypes() }),
    execute: ({ type, inputs, timeoutMs }, ctx) => ctx.services.nodes.execute({ type, inputs }, { signal: ctx.signal, timeoutMs }),
    start: async ({ type, inputs, timeoutMs }, ctx) => {
      // not linked to this call's signal: the execution outlives the call (disabling the plugin ends it)
      const handle = await ctx.services.nodes.start({ type, inputs }, { timeoutMs })
      return { executionId: handle.id }
    },
    getStatus: ({ executionId }, ctx) => ctx.services.nodes.get(executionId),
    cancel: ({ executionId }, ctx) => ({
      cancelled: ctx.services.nodes.cancel(executionId, `cancelled by ${ctx.caller.id}`),
    }),
    list: (input, ctx) => ({ executions: ctx.services.nodes.list(input?.limit ?? DEFAULT_LIST_LIMIT) }),
  },

  setup(ctx) {
    const { nodes } = ctx.services
    nodes.setStatusListener((status) => {
      // while deactivating, the event is already unregistered: nobody is left to tell
      if (!ctx.signal.aborted) ctx.emit('status', status)
    })
    const contributions = ctx.extensions(nodeTypes)
    nodes.syncContributions(contributions.values())
    contributions.onChange(() => nodes.syncContributions(contributions.values()))
    // runs after the domain left (no new calls; calls in flight aborted), before the scope is disposed
    ctx.onDispose(() => nodes.close('the node plugin was disabled'))
  },
})
