// The host the `workflow-*` integration tests share: the real node, storage and workflow plugins (plus any
// others a test needs) on `createTestHost`, subscribed to `workflow.runFinished` and `workflow.progress`
// before anything runs, with waits on those events (never a poll with a clock).
import { createTestHost, type createStoreFolder } from '@atomiton/plugin-sdk/testing'
import { nodePlugin } from './node/src/plugin'
import { storagePlugin } from './storage/src/plugin'
import { workflowPlugin, type ProgressPayload, type RunFinishedPayload, type WorkflowDocument } from './workflow/src/index'

type Stores = ReturnType<Awaited<ReturnType<typeof createStoreFolder>>['stores']>

export const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } })

export interface WorkflowHostOptions {
  /** The workflow plugin to use (default: `workflowPlugin`), e.g. `createWorkflowPlugin({ historyLimit })`. */
  readonly workflow?: typeof workflowPlugin
  /** More plugins beside node, storage and workflow. */
  readonly extra?: readonly (typeof nodePlugin)[]
  readonly stores?: Stores
}

export async function startWorkflowHost(options: WorkflowHostOptions = {}) {
  const plugins = [nodePlugin, storagePlugin, options.workflow ?? workflowPlugin, ...(options.extra ?? [])] as const
  const t = await createTestHost({ plugins, ...(options.stores === undefined ? {} : { stores: options.stores }) })
  const client = t.client
  const finished: RunFinishedPayload[] = []
  const progress: ProgressPayload[] = []
  const waiting = new Map<string, (payload: RunFinishedPayload) => void>()
  const subscriptions = [
    client.$on('workflow.runFinished', (payload) => {
      finished.push(payload)
      waiting.get(payload.runId)?.(payload)
    }),
    client.$on('workflow.progress', (payload) => progress.push(payload)),
  ]
  await Promise.all(subscriptions.map((off) => off.ready))

  /** Resolves with the run's `runFinished` event (at once if it already came). */
  const runFinished = (runId: string): Promise<RunFinishedPayload> => {
    const already = finished.find((payload) => payload.runId === runId)
    if (already !== undefined) return Promise.resolve(already)
    return new Promise((resolve) => waiting.set(runId, resolve))
  }
  /** Runs a saved workflow and answers the finished run. */
  const runToEnd = async (id: string, inputs?: Record<string, Record<string, unknown>>) => {
    const { runId } = await client.workflow.run({ id, ...(inputs === undefined ? {} : { inputs }) })
    await runFinished(runId)
    return client.workflow.getRun({ runId })
  }
  const save = async (workflow: WorkflowDocument) => (await client.workflow.create({ workflow })).id
  const states = (run: { nodes: Record<string, { state: string }> }) => Object.fromEntries(Object.entries(run.nodes).map(([id, node]) => [id, node.state]))
  return { t, client, finished, progress, runFinished, runToEnd, save, states }
}
