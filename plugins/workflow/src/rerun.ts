/**
 * Re-running from a node: `run({ id, from: { runId, nodeId } })`. The node and everything downstream of
 * it run again; the nodes they need that are not downstream (their upstream, and the other inputs of
 * downstream nodes) are pinned to the outputs the recorded run gave them; every other node is left out
 * (reported `skipped`). Every pinned node must have succeeded in the recorded run.
 */
import { RpcError, type InvalidParamsData, type ValidationIssue } from '@atomiton/plugin-sdk'
import type { Run, RunFrom } from './api'
import type { NodeOutputs } from './engine/run'
import type { WorkflowDefinition } from './engine/schema'

export interface RerunPlan {
  readonly pinned: ReadonlyMap<string, NodeOutputs>
  readonly leftOut: ReadonlySet<string>
}

function refuse(issues: ValidationIssue[]): never {
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
  throw new RpcError('INVALID_PARAMS', `Cannot re-run from there: ${issues[0]!.message}${more}`, { issues } satisfies InvalidParamsData)
}

export function planRerun(workflowId: string, def: WorkflowDefinition, from: RunFrom, recorded: Run): RerunPlan {
  if (recorded.workflowId !== workflowId) {
    refuse([{ path: ['from', 'runId'], code: 'other-workflow', message: `Run "${from.runId}" is a run of workflow "${recorded.workflowId}", not "${workflowId}"` }])
  }
  if (!def.nodes.some((node) => node.id === from.nodeId)) {
    refuse([{ path: ['from', 'nodeId'], code: 'unknown-node', message: `Workflow "${workflowId}" has no node "${from.nodeId}"` }])
  }
  const downstream = new Map<string, string[]>()
  const upstream = new Map<string, string[]>()
  for (const edge of def.edges) {
    downstream.set(edge.from.node, [...(downstream.get(edge.from.node) ?? []), edge.to.node])
    upstream.set(edge.to.node, [...(upstream.get(edge.to.node) ?? []), edge.from.node])
  }
  const closure = (start: Iterable<string>, next: Map<string, string[]>, stop: ReadonlySet<string>): Set<string> => {
    const seen = new Set<string>()
    const stack = [...start]
    while (stack.length > 0) {
      const id = stack.pop()!
      for (const neighbour of next.get(id) ?? []) {
        if (seen.has(neighbour) || stop.has(neighbour)) continue
        seen.add(neighbour)
        stack.push(neighbour)
      }
    }
    return seen
  }
  const rerun = closure([from.nodeId], downstream, new Set())
  rerun.add(from.nodeId)
  const needed = closure(rerun, upstream, rerun)

  const pinned = new Map<string, NodeOutputs>()
  const issues: ValidationIssue[] = []
  for (const node of def.nodes) {
    if (!needed.has(node.id)) continue
    const record = Object.hasOwn(recorded.nodes, node.id) ? recorded.nodes[node.id] : undefined
    if (record?.state === 'succeeded' && record.outputs !== undefined) pinned.set(node.id, record.outputs)
    else {
      issues.push({
        path: ['from', 'nodeId'],
        code: 'upstream-not-recorded',
        message: `Node "${node.id}", which "${from.nodeId}" needs, has no recorded outputs in run "${from.runId}" (it ${record === undefined ? 'was not in that run' : `ended ${record.state}`}${recorded.truncated === true ? ', or the run was too large to keep its outputs' : ''})`,
      })
    }
  }
  if (issues.length > 0) refuse(issues)
  const leftOut = new Set(def.nodes.map((node) => node.id).filter((id) => !rerun.has(id) && !needed.has(id)))
  return { pinned, leftOut }
}
