/**
 * Sub-workflow references: `flow.subworkflow` and `flow.loop` nodes name another saved workflow by a
 * static `workflowId`. Saving or validating a workflow checks each such reference: the workflow must exist
 * (`unknown-workflow`), and following references from it through the saved workflows must never come back
 * to a workflow already on the way, this one included (`subworkflow-cycle`, also for indirect cycles
 * A -> B -> C -> A). Both are reported at `['nodes', i, 'inputs', 'workflowId']`. A reference fed by an
 * edge is only known at run time, where the runner refuses a cycle the same way (SUBWORKFLOW_CYCLE).
 */
import { WORKFLOW_REFERENCING_TYPES } from './engine/control'
import type { WorkflowDefinition } from './engine/schema'
import type { Problem } from './engine/validate'

/** The workflow ids a document's nodes name statically, with the node index. */
export function workflowReferences(def: Pick<WorkflowDefinition, 'nodes'>): { index: number; workflowId: string }[] {
  const references: { index: number; workflowId: string }[] = []
  def.nodes.forEach((node, index) => {
    const workflowId = node.inputs?.['workflowId']
    if (WORKFLOW_REFERENCING_TYPES.has(node.type) && typeof workflowId === 'string') references.push({ index, workflowId })
  })
  return references
}

/** Loads a saved workflow's document (undefined when there is none). */
export type LoadWorkflow = (id: string) => Promise<Pick<WorkflowDefinition, 'nodes'> | undefined>

/** The reference problems of `def`, saved (or to be saved) as `selfId` when it has one. */
export async function referenceProblems(def: Pick<WorkflowDefinition, 'nodes'>, selfId: string | undefined, load: LoadWorkflow): Promise<Problem[]> {
  const loaded = new Map<string, Promise<Pick<WorkflowDefinition, 'nodes'> | undefined>>()
  const get = (id: string) => {
    let pending = loaded.get(id)
    if (pending === undefined) loaded.set(id, (pending = load(id)))
    return pending
  }
  /** The first cycle reachable from `id` along `chain`, as the ids of its path, or undefined. */
  const cycleFrom = async (id: string, chain: readonly string[]): Promise<string[] | undefined> => {
    const at = chain.indexOf(id)
    if (at !== -1) return [...chain, id]
    const workflow = await get(id)
    if (workflow === undefined) return undefined
    for (const reference of workflowReferences(workflow)) {
      const cycle = await cycleFrom(reference.workflowId, [...chain, id])
      if (cycle !== undefined) return cycle
    }
    return undefined
  }

  const problems: Problem[] = []
  const start = selfId === undefined ? [] : [selfId]
  for (const { index, workflowId } of workflowReferences(def)) {
    const path = ['nodes', index, 'inputs', 'workflowId']
    if (workflowId !== selfId && (await get(workflowId)) === undefined) {
      problems.push({ path, code: 'unknown-workflow', message: `No saved workflow "${workflowId}"` })
      continue
    }
    const cycle = await cycleFrom(workflowId, start)
    if (cycle !== undefined) {
      problems.push({ path, code: 'subworkflow-cycle', message: `Sub-workflow cycle: ${cycle.join(' -> ')}` })
    }
  }
  return problems
}
