/**
 * The workflow document: a named graph of nodes (each an instance of a node type from the catalog,
 * with optional static inputs) and edges (each feeds one node's named output into another node's
 * named input).
 *
 * The schema checks the document's shape only. Whether the graph makes sense against the node
 * catalog (types exist, edges connect declared ports, no cycles, ...) is `validateWorkflow`'s job.
 */
import { z } from 'zod'

/** A node id: a letter, then up to 63 letters, digits, `_` or `-`. */
export const NODE_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/

/**
 * Bounds on one document, so a single call cannot make the host validate and store an unbounded graph.
 * The numbers follow from what a document must fit: it is written as ONE storage value (the storage
 * plugin refuses a value over 1 MiB), and a node with its position, a few inputs and its edges takes
 * a few hundred bytes of JSON, so 1,000 nodes and 5,000 edges stay well under it. (The first cap, 200
 * nodes, was arbitrary: the editor's benchmark opens and runs a 500-node, 600-edge workflow, and the
 * engine is benchmarked on a 1,000-node chain.) Validation is linear in nodes + edges.
 */
export const MAX_NODES = 1000
export const MAX_EDGES = 5000

export const NodeId = z
  .string()
  .regex(NODE_ID_PATTERN, 'A node id starts with a letter and has at most 64 letters, digits, "_" or "-"')

export const WorkflowNode = z.object({
  id: NodeId,
  /** The node type's id in the catalog. */
  type: z.string().min(1),
  /** Static inputs, by input name. An edge into the same input overrides the static value at run time. */
  inputs: z.record(z.string(), z.unknown()).optional(),
  label: z.string().optional(),
  /** Where the editor's canvas draws the node (ignored when running). */
  position: z.object({ x: z.number().finite(), y: z.number().finite() }).optional(),
  /** Tries again after a failure: up to `attempts` more times, waiting `delayMs`, then `delayMs * factor`... */
  retry: z
    .object({
      attempts: z.number().int().min(1).max(10),
      delayMs: z.number().int().min(0).max(60_000).default(1000),
      factor: z.number().min(1).max(10).default(2),
    })
    .optional(),
  /** Each attempt fails with TIMEOUT after this long (its signal aborts). */
  timeoutMs: z.number().int().min(1).max(24 * 3_600_000).optional(),
})

/**
 * `from.node`/`to.node` are any non-empty strings here: an edge naming a node that does not exist is
 * reported by `validateWorkflow` as a `dangling-edge`, with its path.
 */
export const WorkflowEdge = z.object({
  from: z.object({ node: z.string().min(1), output: z.string().min(1) }),
  to: z.object({ node: z.string().min(1), input: z.string().min(1) }),
})

/**
 * What starts a workflow besides `run`: `manual` (the run button; the default), `schedule` (a cron
 * pattern, croner's syntax, seconds optional; `timezone` an IANA name, default the host's), `webhook`
 * (browser mode's `POST /hooks/<workflow id>` with the trigger's `token`, generated when saved).
 */
export const WorkflowTrigger = z.discriminatedUnion('type', [
  z.object({ type: z.literal('manual') }),
  z.object({ type: z.literal('schedule'), cron: z.string().min(1).max(200), timezone: z.string().min(1).max(100).optional() }),
  z.object({ type: z.literal('webhook'), token: z.string().regex(/^[A-Za-z0-9_-]{16,200}$/, 'A webhook token has 16 to 200 letters, digits, "_" or "-"').optional() }),
])
export type WorkflowTrigger = z.infer<typeof WorkflowTrigger>

export const WorkflowDefinition = z
  .object({
    id: z.string().min(1).optional(),
    name: z.string().min(1).max(100),
    description: z.string().optional(),
    nodes: z.array(WorkflowNode).min(1).max(MAX_NODES),
    edges: z.array(WorkflowEdge).max(MAX_EDGES),
    triggers: z.array(WorkflowTrigger).max(20).optional(),
  })
  .superRefine((def, ctx) => {
    const firstIndex = new Map<string, number>()
    def.nodes.forEach((node, index) => {
      const first = firstIndex.get(node.id)
      if (first === undefined) {
        firstIndex.set(node.id, index)
        return
      }
      ctx.addIssue({
        code: 'custom',
        path: ['nodes', index, 'id'],
        message: `Duplicate node id "${node.id}" (already used by nodes[${first}])`,
      })
    })
  })

export type WorkflowNode = z.infer<typeof WorkflowNode>
export type WorkflowEdge = z.infer<typeof WorkflowEdge>
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>
