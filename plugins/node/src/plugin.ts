/**
 * The `node` plugin: a registry of node types (the built-ins, plus the ones other plugins contribute to
 * the `node.types` extension point), and procedures to list them and to run one node, in the
 * foreground (`execute`) or in the background (`start`, `getStatus`, `cancel`, `list`), with a
 * `status` event on every state change and progress report.
 */
import { definePlugin, event, type HostServices } from '@atomiton/plugin-sdk'
import {
  DEFAULT_LIST_LIMIT,
  MAX_EXECUTE_TIMEOUT_MS,
  NODE_EXECUTE_PERMISSION,
  NODE_READ_PERMISSION,
  NODE_TYPES_EXTENSION_POINT,
  cancelOutput,
  executeInput,
  executionIdParams,
  executionRecordSchema,
  finalExecutionRecordSchema,
  listInput,
  listOutput,
  listTypesOutput,
  startInput,
  startOutput,
  statusEventPayload,
} from './schemas'
import { NodeService } from './service'

export const nodePlugin = definePlugin({
  id: 'node',
  version: '0.1.0',
  description: 'Node types (built-in and contributed by plugins) and their executions',
  services: {
    nodes: ({ logger, clock }: HostServices) => new NodeService({ logger, now: () => clock.now() }),
  },
  events: {
    status: event({
      description: 'An execution changed state or reported progress',
      payload: statusEventPayload,
      permission: NODE_READ_PERMISSION,
      expose: true,
    }),
  },
  procedures: (p) => ({
    listTypes: p.procedure({
      description: 'Lists the registered node types with the JSON Schemas of their inputs and outputs',
      output: listTypesOutput,
      permission: NODE_READ_PERMISSION,
      expose: true,
      handler: (_input, ctx) => ({ types: ctx.services.nodes.listTypes() }),
    }),

    execute: p.procedure({
      description:
        'Runs one node and answers its final record (a node that fails answers state "failed"); ' +
        'NOT_FOUND for an unknown type, INVALID_PARAMS (paths under "inputs") for bad inputs',
      input: executeInput,
      output: finalExecutionRecordSchema,
      permission: NODE_EXECUTE_PERMISSION,
      expose: true,
      // the execution's own `timeoutMs` (at most MAX_EXECUTE_TIMEOUT_MS) fires before the call's limit
      timeoutMs: MAX_EXECUTE_TIMEOUT_MS + 1_000,
      handler: ({ type, inputs, timeoutMs }, ctx) =>
        ctx.services.nodes.execute({ type, inputs }, { signal: ctx.signal, timeoutMs }),
    }),

    start: p.procedure({
      description: 'Starts one node in the background and answers its execution id at once',
      input: startInput,
      output: startOutput,
      permission: NODE_EXECUTE_PERMISSION,
      expose: true,
      handler: async ({ type, inputs, timeoutMs }, ctx) => {
        // not linked to this call's signal: the execution outlives the call (disabling the plugin ends it)
        const handle = await ctx.services.nodes.start({ type, inputs }, { timeoutMs })
        return { executionId: handle.id }
      },
    }),

    getStatus: p.procedure({
      description: 'The record of a running or recently finished execution (NOT_FOUND otherwise)',
      input: executionIdParams,
      output: executionRecordSchema,
      permission: NODE_READ_PERMISSION,
      expose: true,
      handler: ({ executionId }, ctx) => ctx.services.nodes.get(executionId),
    }),

    cancel: p.procedure({
      description: 'Cancels a running execution; false when it is unknown or already finished',
      input: executionIdParams,
      output: cancelOutput,
      permission: NODE_EXECUTE_PERMISSION,
      expose: true,
      handler: ({ executionId }, ctx) => ({
        cancelled: ctx.services.nodes.cancel(executionId, `cancelled by ${ctx.caller.id}`),
      }),
    }),

    list: p.procedure({
      description: `The most recent executions, newest first (default ${DEFAULT_LIST_LIMIT})`,
      input: listInput,
      output: listOutput,
      permission: NODE_READ_PERMISSION,
      expose: true,
      handler: (input, ctx) => ({ executions: ctx.services.nodes.list(input?.limit ?? DEFAULT_LIST_LIMIT) }),
    }),
  }),

  setup(ctx) {
    const { nodes } = ctx.services
    nodes.setStatusListener((status) => {
      // while deactivating, the event is already unregistered: nobody is left to tell
      if (!ctx.signal.aborted) ctx.emit('status', status)
    })
    const contributions = ctx.extensions<unknown>(NODE_TYPES_EXTENSION_POINT)
    nodes.syncContributions(contributions.values())
    contributions.onChange(() => nodes.syncContributions(contributions.values()))
    // runs after the domain left (no new calls; calls in flight aborted), before the scope is disposed
    ctx.onDispose(() => nodes.close('the node plugin was disabled'))
  },
})
