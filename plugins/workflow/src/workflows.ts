/**
 * Saving workflows: create, get, list, update, delete, validate.
 *
 * Every write validates first (the document's shape is checked by the router, the graph here against
 * the node catalog) and then writes the whole workflow with one storage `set`, so a call that fails
 * leaves storage as it was. Updates and deletes of one workflow run one at a time (a per-id lock), so
 * `expectedVersion` is a real compare-and-swap within this plugin.
 */
import { RpcError, type Clock, type InvalidParamsData, type ValidationIssue } from '@atomiton/plugin-sdk'
import type { ChangedPayload, StoredWorkflow, WorkflowDocument, WorkflowSummary } from './api'
import type { WorkflowDefinition } from './engine/schema'
import { validateWorkflow, type Problem } from './engine/validate'
import { fetchCatalog, type CallFn } from './node-client'
import { referenceProblems } from './references'
import { WorkflowRepository } from './storage'

/** What a handler gives the service: its calls (cancelled with it), its signal, and the `changed` event. */
export interface CallIo {
  readonly call: CallFn
  readonly signal: AbortSignal
  readonly logger?: { warn(object: object, message: string): void }
  emitChanged(payload: ChangedPayload): void
}

/** INVALID_PARAMS whose issues are the graph problems, their paths prefixed with the input field. */
export function invalidWorkflow(problems: readonly Problem[], field: string): RpcError<InvalidParamsData> {
  const issues: ValidationIssue[] = problems.map((problem) => ({
    path: [field, ...problem.path],
    message: problem.message,
    code: problem.code,
  }))
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
  return new RpcError('INVALID_PARAMS', `Invalid workflow: ${problems[0]?.message ?? 'invalid'}${more}`, { issues })
}

export function notFound(id: string): RpcError {
  return new RpcError('NOT_FOUND', `No workflow "${id}"`, { id })
}

/** Runs tasks one at a time per key. */
class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>()

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const current = previous.then(task, task)
    const tail = current.catch(() => undefined)
    this.#tails.set(key, tail)
    try {
      return await current
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }
}

function summaryOf(workflow: StoredWorkflow): WorkflowSummary {
  return {
    id: workflow.id,
    name: workflow.name,
    ...(workflow.description === undefined ? {} : { description: workflow.description }),
    version: workflow.version,
    createdAt: workflow.createdAt,
    updatedAt: workflow.updatedAt,
    nodeCount: workflow.nodes.length,
    edgeCount: workflow.edges.length,
  }
}

/** The stored form: the document (without any `id` it carried) under the plugin's own fields. */
function stored(document: WorkflowDocument, meta: Pick<StoredWorkflow, 'id' | 'version' | 'createdAt' | 'updatedAt'>): StoredWorkflow {
  const { id: _ignored, ...rest } = document
  return { id: meta.id, ...rest, version: meta.version, createdAt: meta.createdAt, updatedAt: meta.updatedAt }
}

/** Refuses a write whose call was cancelled meanwhile: its caller was already answered. */
function assertLive(signal: AbortSignal): void {
  if (signal.aborted) {
    throw signal.reason instanceof RpcError ? signal.reason : new RpcError('CANCELLED', 'The call was cancelled')
  }
}

export class WorkflowService {
  readonly #clock: Clock
  readonly #createId: () => string
  readonly #locks = new KeyedLock()

  constructor(clock: Clock, createId: () => string = () => crypto.randomUUID()) {
    this.#clock = clock
    this.#createId = createId
  }

  /**
   * The graph problems of a document against the current node catalog, then its sub-workflow references
   * (references.ts) when the graph is sound, saved as `selfId` (paths relative to the document).
   */
  async problems(document: WorkflowDocument, io: CallIo, selfId: string | undefined = document.id): Promise<Problem[]> {
    const problems = validateWorkflow(document, await fetchCatalog(io.call))
    const repository = new WorkflowRepository(io.call)
    return [...problems, ...(await referenceProblems(document, selfId, (id) => repository.get(id).catch(() => undefined)))]
  }

  async create(document: WorkflowDocument, io: CallIo): Promise<StoredWorkflow> {
    if (document.id !== undefined) {
      throw new RpcError('INVALID_PARAMS', 'Invalid params at workflow.id: create generates the id; omit it', {
        issues: [{ path: ['workflow', 'id'], message: 'create generates the id; omit it (update changes a saved workflow)', code: 'custom' }],
      } satisfies InvalidParamsData)
    }
    const problems = await this.problems(document, io)
    if (problems.length > 0) throw invalidWorkflow(problems, 'workflow')
    const now = this.#clock.now()
    const workflow = stored(document, { id: this.#createId(), version: 1, createdAt: now, updatedAt: now })
    assertLive(io.signal)
    await new WorkflowRepository(io.call).put(workflow)
    io.emitChanged({ id: workflow.id, op: 'created', version: workflow.version })
    return workflow
  }

  async get(id: string, io: CallIo): Promise<StoredWorkflow> {
    const workflow = await new WorkflowRepository(io.call).get(id)
    if (workflow === undefined) throw notFound(id)
    return workflow
  }

  /** Summaries, by name then id. */
  async list(io: CallIo): Promise<WorkflowSummary[]> {
    const workflows = await new WorkflowRepository(io.call).list((id) =>
      io.logger?.warn({ workflow: id }, 'A stored workflow is damaged and was left out of the list'),
    )
    return workflows
      .map(summaryOf)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  async update(id: string, document: WorkflowDocument, expectedVersion: number | undefined, io: CallIo): Promise<StoredWorkflow> {
    if (document.id !== undefined && document.id !== id) {
      throw new RpcError('INVALID_PARAMS', 'Invalid params at workflow.id: it differs from id', {
        issues: [{ path: ['workflow', 'id'], message: `The document's id "${document.id}" differs from id "${id}"`, code: 'custom' }],
      } satisfies InvalidParamsData)
    }
    return this.#locks.run(id, async () => {
      const repository = new WorkflowRepository(io.call)
      const current = await currentVersion(repository, id, expectedVersion)
      const problems = await this.problems(document, io, id)
      if (problems.length > 0) throw invalidWorkflow(problems, 'workflow')
      const workflow = stored(document, {
        id,
        version: current.version + 1,
        createdAt: current.createdAt,
        updatedAt: Math.max(this.#clock.now(), current.updatedAt),
      })
      assertLive(io.signal)
      await repository.put(workflow)
      io.emitChanged({ id, op: 'updated', version: workflow.version })
      return workflow
    })
  }

  /**
   * A saved workflow with a run's input overlay applied, checked against the current node catalog.
   * INVALID_PARAMS for what the overlay got wrong (a node the workflow lacks: code `unknown-node` at
   * `['inputs', nodeId]`; an input a node does not declare, or a required one set to undefined: the
   * graph problem at `['inputs', nodeId, input]`); CONFLICT (`data.problems`) when the saved workflow
   * itself no longer validates (a node type it uses was removed since it was saved).
   */
  async prepareRun(
    id: string,
    overlay: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined,
    io: CallIo,
  ): Promise<{ workflow: StoredWorkflow; def: WorkflowDefinition }> {
    const workflow = await this.get(id, io)
    const overrides = overlay ?? {}
    const nodeIds = new Set(workflow.nodes.map((node) => node.id))
    const unknown: ValidationIssue[] = Object.keys(overrides)
      .filter((nodeId) => !nodeIds.has(nodeId))
      .map((nodeId) => ({ path: ['inputs', nodeId], message: `Workflow "${id}" has no node "${nodeId}"`, code: 'unknown-node' }))
    if (unknown.length > 0) {
      throw new RpcError('INVALID_PARAMS', `Invalid params at inputs.${String(unknown[0]!.path[1])}: ${unknown[0]!.message}`, {
        issues: unknown,
      } satisfies InvalidParamsData)
    }
    const overridesOf = (nodeId: string): Readonly<Record<string, unknown>> | undefined =>
      Object.hasOwn(overrides, nodeId) ? overrides[nodeId] : undefined
    const def: WorkflowDefinition = {
      name: workflow.name,
      ...(workflow.description === undefined ? {} : { description: workflow.description }),
      nodes: workflow.nodes.map((node) => {
        const extra = overridesOf(node.id)
        return extra === undefined ? node : { ...node, inputs: { ...node.inputs, ...extra } }
      }),
      edges: workflow.edges,
    }
    const fromOverlay: ValidationIssue[] = []
    const saved: Problem[] = []
    for (const problem of await this.problems(def, io, workflow.id)) {
      const [where, index, field, input] = problem.path
      const node = where === 'nodes' && typeof index === 'number' && field === 'inputs' ? def.nodes[index] : undefined
      const extra = node === undefined ? undefined : overridesOf(node.id)
      if (node !== undefined && typeof input === 'string' && extra !== undefined && Object.hasOwn(extra, input)) {
        fromOverlay.push({ path: ['inputs', node.id, input], message: problem.message, code: problem.code })
      } else {
        saved.push(problem)
      }
    }
    if (fromOverlay.length > 0) {
      const more = fromOverlay.length > 1 ? ` (and ${fromOverlay.length - 1} more)` : ''
      throw new RpcError('INVALID_PARAMS', `Invalid run inputs: ${fromOverlay[0]!.message}${more}`, { issues: fromOverlay } satisfies InvalidParamsData)
    }
    if (saved.length > 0) {
      throw new RpcError('CONFLICT', `Workflow "${id}" no longer validates against the node types: ${saved[0]!.message}`, {
        id,
        problems: saved,
      })
    }
    return { workflow, def }
  }

  async delete(id: string, expectedVersion: number | undefined, io: CallIo): Promise<{ id: string; deleted: true }> {
    return this.#locks.run(id, async () => {
      const repository = new WorkflowRepository(io.call)
      await currentVersion(repository, id, expectedVersion)
      assertLive(io.signal)
      if (!(await repository.delete(id))) throw notFound(id)
      io.emitChanged({ id, op: 'deleted' })
      return { id, deleted: true }
    })
  }
}

/** The stored workflow `id`, checked against the version the caller expects (NOT_FOUND, CONFLICT). */
async function currentVersion(repository: WorkflowRepository, id: string, expectedVersion: number | undefined): Promise<StoredWorkflow> {
  const current = await repository.get(id)
  if (current === undefined) throw notFound(id)
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw new RpcError('CONFLICT', `Workflow "${id}" is at version ${current.version}, not ${expectedVersion}`, {
      id,
      expectedVersion,
      actualVersion: current.version,
    })
  }
  return current
}
