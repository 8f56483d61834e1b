// The host the workflow tests run on (workflow-*.test.ts, integration.test.ts): the real node, storage and
// workflow plugins, subscribed to `workflow.runFinished` and `workflow.progress` before the test starts.
import { createTestHost, type TestHostOptions } from '@atomiton/plugin-sdk/testing'
import { nodePlugin } from './node/src/plugin'
import { storagePlugin } from './storage/src/plugin'
import { createWorkflowPlugin, type ProgressPayload, type RunFinishedPayload, type WorkflowPluginOptions } from './workflow/src/index'

/** An edge of a workflow document: `from.output` feeds `to.input`. */
export const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } })

export interface WorkflowHostOptions {
  /** The host's stores (real files through `createStoreFolder().stores()`); memory by default. */
  readonly stores?: TestHostOptions<readonly []>['stores']
  /** The workflow plugin's options. */
  readonly workflow?: WorkflowPluginOptions
}

export async function startWorkflowHost(options: WorkflowHostOptions = {}) {
  const t = await createTestHost({
    plugins: [nodePlugin, storagePlugin, createWorkflowPlugin(options.workflow)],
    ...(options.stores ? { stores: options.stores } : {}),
  })
  const finished: RunFinishedPayload[] = []
  const progress: ProgressPayload[] = []
  const waiting = new Map<string, (payload: RunFinishedPayload) => void>()
  const subscriptions = [
    t.client.$on('workflow.runFinished', (p) => {
      finished.push(p)
      waiting.get(p.runId)?.(p)
    }),
    t.client.$on('workflow.progress', (p) => progress.push(p)),
  ]
  await Promise.all(subscriptions.map((off) => off.ready))
  /** The run's `runFinished` event, once it arrived (waits on the event itself: a run may take its time). */
  const finishedRun = (runId: string): Promise<RunFinishedPayload> => {
    const already = finished.find((f) => f.runId === runId)
    if (already !== undefined) return Promise.resolve(already)
    return new Promise((resolve) => waiting.set(runId, resolve))
  }
  return { t, client: t.client, finished, progress, finishedRun }
}
