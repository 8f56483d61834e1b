/** A test host with the fixture node and storage plugins and the workflow plugin, and its event logs. */
import { expect } from 'vitest'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { createWorkflowPlugin, type ProgressPayload, type RunFinishedPayload, type ChangedPayload, type WorkflowPluginOptions } from '../src/index'
import { createNodeFixture, createStorageFixture, type NodeFixture, type StorageFixture } from './fixtures'

export interface HarnessOptions extends WorkflowPluginOptions {
  /** Reuse a storage fixture (its data), e.g. to "restart" on the same store. */
  readonly storage?: StorageFixture
}

export async function startHost(options: HarnessOptions = {}) {
  const { storage: given, ...pluginOptions } = options
  const node: NodeFixture = createNodeFixture()
  const storage: StorageFixture = given ?? createStorageFixture()
  const t = await createTestHost({ plugins: [node.plugin, storage.plugin, createWorkflowPlugin(pluginOptions)] })
  const events = {
    progress: [] as ProgressPayload[],
    runFinished: [] as RunFinishedPayload[],
    changed: [] as ChangedPayload[],
  }
  const subscriptions = [
    t.client.$on('workflow.progress', (payload) => events.progress.push(payload)),
    t.client.$on('workflow.runFinished', (payload) => events.runFinished.push(payload)),
    t.client.$on('workflow.changed', (payload) => events.changed.push(payload)),
  ]
  await Promise.all(subscriptions.map((off) => off.ready))

  /** `nodeId:state@completed/total` for each progress event of a run, in arrival order. */
  const trace = (runId: string): string[] =>
    events.progress.filter((e) => e.runId === runId).map((e) => `${e.nodeId}:${e.state}@${e.completed}/${e.total}`)

  /** Resolves once the run's progress events include `nodeId` reaching `state`. */
  const reached = async (runId: string, nodeId: string, state: ProgressPayload['state']): Promise<void> => {
    await expect.poll(() => events.progress.some((e) => e.runId === runId && e.nodeId === nodeId && e.state === state)).toBe(true)
  }

  /** Resolves with the run's `runFinished` payload once it arrived. */
  const finished = async (runId: string): Promise<RunFinishedPayload> => {
    await expect.poll(() => events.runFinished.some((e) => e.runId === runId)).toBe(true)
    return events.runFinished.find((e) => e.runId === runId)!
  }

  return { t, client: t.client, node, storage, events, trace, reached, finished }
}

/** What an RpcError-rejected promise carried: code and data. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; data: any }> {
  try {
    await promise
  } catch (error) {
    return error as { code: string; message: string; data: any }
  }
  throw new Error('expected the call to fail')
}
