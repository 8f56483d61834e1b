/**
 * The conductor: the renderer-facing facade of the seed. It runs nodes and workflows, reports health and
 * manages plugins, all through the typed RPC client, with no knowledge of the transport (Electron IPC,
 * WebSocket or the in-memory test bridge are all the same to it).
 *
 * Long-running work (a node, a workflow run) is started, followed through its events, and finished by
 * reading the final record, so progress callbacks see every step and an AbortSignal cancels the work on
 * the host. Events are subscribed to before the work starts, and buffered until its id is known, so
 * nothing that happens between "started" and "answered" is lost.
 */
import { RpcError, type EventsOf, type InputOf, type OutputOf, type RpcClient } from '@atomiton/core/client'
import type { nodeContract, storageContract, systemContract, workflowContract } from '@atomiton/plugin-sdk/contracts'
import { createPackagesFacade } from './packages'

/**
 * The API the app's UI is typed against: the built-ins' contracts (type-only imports: nothing of them is
 * bundled).
 */
export type AppApi = readonly [typeof systemContract, typeof storageContract, typeof nodeContract, typeof workflowContract]

export type AppClient = RpcClient<AppApi>
type Out<M extends string> = OutputOf<AppApi, M>
type In<M extends string> = InputOf<AppApi, M>
type Events = EventsOf<AppApi>

export type NodeTypeInfo = Out<'node.listTypes'>['types'][number]
export type ExecutionRecord = Out<'node.getStatus'>
export type NodeStatus = Events['node.status']
export type WorkflowDocument = In<'workflow.create'>['workflow']
export type StoredWorkflow = Out<'workflow.get'>
export type WorkflowRun = Out<'workflow.getRun'>
export type WorkflowProgress = Events['workflow.progress']
export type PluginSummary = Out<'system.listPlugins'>['plugins'][number]
export type PluginSettingsState = Out<'system.getPluginSettings'>
export type Catalog = Out<'rpc.discover'>

export interface NodeRunOptions {
  readonly signal?: AbortSignal
  /** Every state change and progress report of this execution, in order. */
  readonly onStatus?: (status: NodeStatus) => void
}

export interface WorkflowRunOptions {
  /** Per-node input overrides: `{ [nodeId]: { [input]: value } }`. */
  readonly inputs?: In<'workflow.run'>['inputs']
  /** Re-run from this node of that run, with the recorded outputs upstream of it pinned. */
  readonly from?: In<'workflow.run'>['from']
  readonly signal?: AbortSignal
  /** Each node's transition, with completed/total, in order. */
  readonly onProgress?: (progress: WorkflowProgress) => void
}

export interface WorkflowRunHandle {
  readonly runId: string
  /** Settles with the finished run (succeeded, failed or cancelled). */
  readonly done: Promise<WorkflowRun>
  cancel(): Promise<boolean>
}

const FINAL_NODE_STATES = new Set(['succeeded', 'failed', 'cancelled'])

/**
 * Follows the events of one piece of work whose id is known only once the host answered: buffers events
 * until then, forwards this work's events afterwards, and settles when `isFinal` says so.
 */
function follow<E extends { readonly [k: string]: unknown }>(
  subscribe: (listener: (event: E) => void) => { (): void; ready: Promise<void> },
  idOf: (event: E) => unknown,
  isFinal: (event: E) => boolean,
  forward: ((event: E) => void) | undefined,
) {
  let id: unknown
  const buffered: E[] = []
  let finish!: () => void
  const finished = new Promise<void>((resolve) => (finish = resolve))
  const handle = (event: E) => {
    if (idOf(event) !== id) return
    forward?.(event)
    if (isFinal(event)) finish()
  }
  const off = subscribe((event) => (id === undefined ? buffered.push(event) : handle(event)))
  return {
    ready: off.ready,
    start(knownId: unknown) {
      id = knownId
      for (const event of buffered.splice(0)) handle(event)
    },
    finished,
    stop: off,
  }
}

export function createConductor({ client }: { readonly client: AppClient }) {
  const node = {
    async types(): Promise<readonly NodeTypeInfo[]> {
      return (await client.node.listTypes()).types
    },

    /** Runs one node to completion; resolves with its final record (also when it failed or was cancelled). */
    async run(type: string, inputs: Record<string, unknown> = {}, options: NodeRunOptions = {}): Promise<ExecutionRecord> {
      const { signal, onStatus } = options
      if (signal?.aborted) throw new RpcError('CANCELLED', 'The node run was cancelled before it started')
      const tracker = follow<NodeStatus>(
        (listener) => client.$on('node.status', listener),
        (status) => status.executionId,
        (status) => FINAL_NODE_STATES.has(status.state),
        onStatus,
      )
      try {
        await tracker.ready
        const { executionId } = await client.node.start({ type, inputs })
        const cancel = () => void client.node.cancel({ executionId }).catch(() => undefined)
        // Listen before replaying buffered events: a status callback may abort the signal.
        signal?.addEventListener('abort', cancel, { once: true })
        if (signal?.aborted) cancel()
        tracker.start(executionId)
        try {
          await tracker.finished
        } finally {
          signal?.removeEventListener('abort', cancel)
        }
        return await client.node.getStatus({ executionId })
      } finally {
        tracker.stop()
      }
    },

    cancel: (executionId: string) => client.node.cancel({ executionId }),
    status: (executionId: string) => client.node.getStatus({ executionId }),
    history: async (limit?: number) => (await client.node.list(limit === undefined ? {} : { limit })).executions,
  }

  const workflow = {
    list: async () => (await client.workflow.list()).workflows,
    get: (id: string) => client.workflow.get({ id }),
    create: (document: WorkflowDocument) => client.workflow.create({ workflow: document }),
    update: (id: string, document: WorkflowDocument, expectedVersion?: number) =>
      client.workflow.update(expectedVersion === undefined ? { id, workflow: document } : { id, workflow: document, expectedVersion }),
    remove: (id: string) => client.workflow.delete({ id }),
    /** The problems of a document, each with its path, without saving it. */
    validate: async (document: WorkflowDocument) => (await client.workflow.validate({ workflow: document })).problems,
    cancel: async (runId: string) => (await client.workflow.cancel({ runId })).cancelled,
    runs: async (workflowId?: string) => (await client.workflow.listRuns(workflowId === undefined ? {} : { workflowId })).runs,
    /** The engine's control-flow node types (if, switch, merge, loop, sub-workflow...), described like `node.listTypes`'s. */
    controlTypes: async (): Promise<readonly NodeTypeInfo[]> =>
      (await client.workflow.controlTypes()).types.map(({ id, title, description, category, inputSchema, outputSchema }) => ({ id, title, description, category, owner: 'workflow', inputSchema, outputSchema })),

    /** Starts a run and returns at once with its id; `done` settles when it finishes. */
    async start(id: string, options: WorkflowRunOptions = {}): Promise<WorkflowRunHandle> {
      const { inputs, from, signal, onProgress } = options
      if (signal?.aborted) throw new RpcError('CANCELLED', 'The workflow run was cancelled before it started')
      const progress = follow<WorkflowProgress>(
        (listener) => client.$on('workflow.progress', listener),
        (event) => event.runId,
        () => false,
        onProgress,
      )
      const finished = follow<Events['workflow.runFinished']>(
        (listener) => client.$on('workflow.runFinished', listener, { onEnd: () => ended.abort() }),
        (event) => event.runId,
        () => true,
        undefined,
      )
      const ended = new AbortController()
      const stop = () => {
        progress.stop()
        finished.stop()
      }
      try {
        await Promise.all([progress.ready, finished.ready])
        const { runId } = await client.workflow.run({ id, ...(inputs === undefined ? {} : { inputs }), ...(from === undefined ? {} : { from }) })
        const cancel = async () => (await client.workflow.cancel({ runId })).cancelled
        const onAbort = () => void cancel().catch(() => undefined)
        // Listen before replaying buffered events: a progress callback may abort the signal.
        signal?.addEventListener('abort', onAbort, { once: true })
        if (signal?.aborted) onAbort()
        progress.start(runId)
        finished.start(runId)
        const endedByHost = new Promise<never>((_resolve, reject) =>
          ended.signal.addEventListener('abort', () =>
            reject(new RpcError('PLUGIN_DISABLED', 'The workflow plugin was disabled during the run')),
          ),
        )
        const done = Promise.race([finished.finished, endedByHost])
          .then(() => client.workflow.getRun({ runId }))
          .finally(() => {
            signal?.removeEventListener('abort', onAbort)
            stop()
          })
        return { runId, done, cancel }
      } catch (error) {
        stop()
        throw error
      }
    },

    /** Runs a workflow to completion; resolves with the finished run, whatever its status. */
    async run(id: string, options: WorkflowRunOptions = {}): Promise<WorkflowRun> {
      return (await workflow.start(id, options)).done
    },
  }

  const system = {
    health: () => client.system.health(),
    info: () => client.system.getInfo(),
    plugins: async (): Promise<readonly PluginSummary[]> => (await client.system.listPlugins()).plugins,
    enable: (id: string, options: { cascade?: boolean } = {}) => client.system.enablePlugin({ id, cascade: options.cascade ?? false }),
    disable: (id: string, options: { cascade?: boolean } = {}) => client.system.disablePlugin({ id, cascade: options.cascade ?? false }),
    /** A plugin's settings: JSON Schema (for the form), values, defaults, and a notice when saved values were dropped. */
    settings: (id: string) => client.system.getPluginSettings({ id }),
    /** Validated by the host (INVALID_PARAMS with issues at `values.<field>`), saved, and applied at once. */
    saveSettings: (id: string, values: Record<string, unknown>) => client.system.setPluginSettings({ id, values }),
  }

  const storage = {
    namespaces: () => client.storage.namespaces(),
    /** One page of a namespace's keys (those starting with `prefix`, after the key `after`). */
    list: (namespace: string, prefix?: string, page: { after?: string; limit?: number } = {}) =>
      client.storage.list({ namespace, ...(prefix === undefined || prefix === '' ? {} : { prefix }), ...(page.after === undefined ? {} : { after: page.after }), ...(page.limit === undefined ? {} : { limit: page.limit }) }),
    get: (namespace: string, key: string) => client.storage.get({ namespace, key }),
    set: (namespace: string, key: string, value: unknown) => client.storage.set({ namespace, key, value }),
    remove: (namespace: string, key: string) => client.storage.delete({ namespace, key }),
  }

  const catalog = {
    discover: (): Promise<Catalog> => client.rpc.discover(),
    /** Called whenever a plugin changes state; returns the unsubscribe. */
    onChange: (listener: (change: Events['rpc.catalogChanged']) => void) => client.$on('rpc.catalogChanged', listener),
  }

  return { client, node, workflow, system, storage, catalog, packages: createPackagesFacade(client) }
}

export type Conductor = ReturnType<typeof createConductor>
export type { InstallResult, PackageInspection, UninstallResult } from './packages'
