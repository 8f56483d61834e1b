// The host the workflow tests run on (workflow-*.test.ts, integration.test.ts): the real node, storage and
// workflow plugins, subscribed to `workflow.runFinished` and `workflow.progress` before the test starts.
import { expect } from 'vitest'
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
  const subscriptions = [t.client.$on('workflow.runFinished', (p) => finished.push(p)), t.client.$on('workflow.progress', (p) => progress.push(p))]
  await Promise.all(subscriptions.map((off) => off.ready))
  /** The run's `runFinished` event, once it arrived. */
  const finishedRun = async (runId: string) => {
    await expect.poll(() => finished.find((f) => f.runId === runId)).toBeDefined()
    return finished.find((f) => f.runId === runId)!
  }
  return { t, client: t.client, finished, progress, finishedRun }
}
