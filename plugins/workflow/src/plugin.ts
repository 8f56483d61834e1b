/**
 * The workflow plugin: named graphs of nodes saved through the storage plugin, validated against the
 * node plugin's catalog, and run through the node plugin's executor. See README.md.
 */
import { implement, RpcError, type CallContext, type Clock, type Logger } from '@atomiton/plugin-sdk'
import { workflowContract } from '@atomiton/plugin-sdk/contracts/workflow'
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_MAX_ACTIVE_RUNS,
  type RunTrigger,
} from './api'
import { describeControlTypes } from './engine/control'
import { planRerun } from './rerun'
import { RunManager } from './runs'
import { acceptsWebhook, TriggerService } from './triggers'
import { WorkflowService, type CallIo } from './workflows'

export interface WorkflowPluginOptions {
  /** Most nodes of one run executing at once. Default 4. */
  readonly concurrency?: number
  /** Finished runs kept in the history (storage) for `getRun` / `listRuns`; the oldest are pruned. Default 100. */
  readonly historyLimit?: number
  /** Most runs in progress at once; `run` answers UNAVAILABLE beyond it. Default 16. */
  readonly maxActiveRuns?: number
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`workflow: ${name} must be a whole number >= 1, got ${String(value)}`)
  return value
}

type WorkflowEvents = typeof workflowContract.events

interface Services {
  readonly workflows: WorkflowService
  readonly runs: RunManager
  readonly triggers: TriggerService
  readonly logger: Logger
}

/** The plugin's own view for the services (its calls, not a caller's), for triggered runs. */
function pluginIo(ctx: { call: CallIo['call']; signal: AbortSignal; logger: Logger }, onChanged: (id: string) => void): CallIo {
  return { call: ctx.call, signal: new AbortController().signal, logger: ctx.logger, emitChanged: ({ id }) => onChanged(id) }
}

/** Starts a run of a saved workflow for a trigger; a webhook's body becomes its `flow.input` nodes' value. */
async function startTriggered(services: Services, io: CallIo, id: string, trigger: RunTrigger, body?: unknown): Promise<string> {
  const saved = await services.workflows.get(id, io)
  const inputs: Record<string, Record<string, unknown>> = {}
  if (body !== undefined) for (const node of saved.nodes) if (node.type === 'flow.input') inputs[node.id] = { value: body }
  const { workflow, def } = await services.workflows.prepareRun(id, inputs, io)
  return services.runs.start({ workflowId: workflow.id, workflowVersion: workflow.version, def, inputs, trigger })
}

/** A handler's view for the workflow service: its own calls (cancelled with it) and the `changed` event. */
function io(ctx: CallContext<Services, WorkflowEvents>): CallIo {
  return {
    call: (procedure, ...args) => ctx.call(procedure, ...args),
    signal: ctx.signal,
    logger: ctx.logger,
    emitChanged: (payload) => {
      ctx.services.triggers.changed(payload.id).catch((error: unknown) => ctx.logger.warn({ err: error }, 'Could not re-arm the schedules'))
      try {
        ctx.emit('changed', payload)
      } catch (error) {
        ctx.logger.warn({ err: error }, 'Could not emit workflow.changed')
      }
    },
  }
}

export function createWorkflowPlugin(options: WorkflowPluginOptions = {}) {
  const concurrency = positiveInteger('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY)
  const historyLimit = positiveInteger('historyLimit', options.historyLimit ?? DEFAULT_HISTORY_LIMIT)
  const maxActiveRuns = positiveInteger('maxActiveRuns', options.maxActiveRuns ?? DEFAULT_MAX_ACTIVE_RUNS)

  // The procedures' schemas, permissions and whitelisting, and the events, are the contract's.
  return implement(workflowContract, {
    version: '0.1.0',
    description: 'Workflows: named graphs of nodes, saved, validated and run through the node executor',
    dependencies: ['node', 'storage'],
    // Reading types and executing nodes; reading and writing storage (its own namespace only).
    permissions: ['node.read', 'node.execute', 'storage.read', 'storage.write'],
    // Timestamps of workflows and runs; it stores through the storage plugin, so no `stores` of its own.
    hostServices: ['clock'],
    services: {
      triggers: () => new TriggerService(),
      workflows: ({ clock }: { clock: Clock }) => new WorkflowService(clock),
      runs: ({ clock, logger }: { clock: Clock; logger: Logger }) =>
        new RunManager({
          concurrency,
          historyLimit,
          maxActiveRuns,
          now: () => clock.now(),
          onEmitError: (error) => logger.warn({ err: error }, 'Could not emit a run event'),
          onStoreError: (error) => logger.warn({ err: error }, 'Could not write the run history'),
        }),
    },
    handlers: {
      create: ({ workflow }, ctx) => ctx.services.workflows.create(workflow, io(ctx)),
      get: ({ id }, ctx) => ctx.services.workflows.get(id, io(ctx)),
      list: async (_input, ctx) => ({ workflows: await ctx.services.workflows.list(io(ctx)) }),
      update: ({ id, workflow, expectedVersion }, ctx) => ctx.services.workflows.update(id, workflow, expectedVersion, io(ctx)),
      delete: ({ id, expectedVersion }, ctx) => ctx.services.workflows.delete(id, expectedVersion, io(ctx)),
      validate: async ({ workflow }, ctx) => ({ problems: await ctx.services.workflows.problems(workflow, io(ctx)) }),
      run: async ({ id, inputs, from }, ctx) => {
        const recorded = from === undefined ? undefined : await ctx.services.runs.get(from.runId)
        const runInputs = inputs ?? recorded?.inputs ?? {}
        const { workflow, def } = await ctx.services.workflows.prepareRun(id, runInputs, io(ctx))
        const plan = from === undefined || recorded === undefined ? undefined : planRerun(id, def, from, recorded)
        // The caller may have gone away (or the call timed out) meanwhile: start nothing it cannot know of.
        if (ctx.signal.aborted) throw ctx.signal.reason instanceof RpcError ? ctx.signal.reason : new RpcError('CANCELLED')
        const runId = ctx.services.runs.start({
          workflowId: workflow.id,
          workflowVersion: workflow.version,
          def,
          inputs: runInputs,
          trigger: { type: 'manual' },
          ...(plan === undefined ? {} : { from, pinned: plan.pinned, leftOut: plan.leftOut }),
        })
        return { runId }
      },
      cancel: async ({ runId }, ctx) => ({ cancelled: await ctx.services.runs.cancel(runId) }),
      expressionPaths: async ({ workflow, nodeId }, ctx) => ({ paths: await ctx.services.workflows.expressionPaths(workflow, nodeId, io(ctx)) }),
      webhook: async ({ id, token, body }, ctx) => {
        const saved = await ctx.services.workflows.get(id, io(ctx)).catch(() => undefined)
        // The same answer for an unknown workflow and a wrong token: a caller learns nothing by probing.
        if (saved === undefined || !acceptsWebhook(saved, token)) throw new RpcError('FORBIDDEN', 'No webhook for that workflow and token')
        return { runId: await startTriggered(ctx.services, io(ctx), id, { type: 'webhook' }, body) }
      },
      controlTypes: () => ({ types: describeControlTypes() }),
      getRun: ({ runId }, ctx) => ctx.services.runs.get(runId),
      listRuns: async (input, ctx) => ({ runs: await ctx.services.runs.list(input ?? {}) }),
    },
    setup(ctx) {
      const runs = ctx.services.runs
      runs.attach({
        call: (procedure, ...args) => ctx.call(procedure, ...args),
        emit: (name: 'progress' | 'runFinished', payload: never) => ctx.emit(name, payload),
      })
      // Disabling aborts this signal first, while the plugin's events are still registered: runs are
      // cancelled (every running node's signal aborts) and their last events still go out.
      const services = ctx.services
      const own = pluginIo(ctx, (id) => void services.triggers.changed(id))
      services.triggers
        .attach({
          load: (id) => services.workflows.get(id, own).catch(() => undefined),
          list: () => services.workflows.listWorkflows(own),
          start: (id, trigger) => startTriggered(services, own, id, trigger),
          isRunning: (runId) => runs.isRunning(runId),
          logger: ctx.logger,
        })
        .catch((error: unknown) => ctx.logger.warn({ err: error }, 'Could not arm the schedules'))
      const stop = (): void => runs.shutdown()
      if (ctx.signal.aborted) stop()
      else ctx.signal.addEventListener('abort', stop, { once: true })
    },
  })
}

/** The plugin with its default options. */
export const workflowPlugin = createWorkflowPlugin()
