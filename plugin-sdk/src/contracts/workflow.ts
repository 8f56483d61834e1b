/**
 * The contract of the built-in `workflow` plugin: the workflow document (a named graph of nodes and edges),
 * the zod schemas of its procedures' inputs and outputs and of its events. The router validates against
 * them, discovery turns them into JSON Schemas, the typed client reads its types from them, and another
 * plugin or a package calls workflow through it without importing the plugin's code:
 *
 *   const { runId } = await ctx.client(workflowContract).run({ id: 'nightly' })
 *
 * The document schema checks shape only; whether the graph makes sense against the node catalog (types
 * exist, edges connect declared ports, no cycles...) is the workflow plugin's `validate`.
 */
import { z } from 'zod'
import { event } from '@atomiton/core/plugin/definition'
import { defineContract, procedure } from '@atomiton/core/plugin/contract'

// ---------------------------------------------------------------------------------------------- the document

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

// ---------------------------------------------------------------------------------------------- procedures and events

/** Finished runs kept in the history (storage) for `getRun` / `listRuns`; the oldest are pruned. */
export const DEFAULT_HISTORY_LIMIT = 100
/** Most nodes of one run executing at once. */
export const DEFAULT_CONCURRENCY = 4
/** Most runs in progress at once (all workflows together). */
export const DEFAULT_MAX_ACTIVE_RUNS = 16
/** Upper bound of `listRuns`' `limit`. */
export const MAX_LIST_RUNS = 1000

export const READ_PERMISSION = 'workflow.read'
export const WRITE_PERMISSION = 'workflow.write'
export const RUN_PERMISSION = 'workflow.run'

// ---------------------------------------------------------------------------------------------- documents

/**
 * The workflow document as procedures take it: the engine's `WorkflowDefinition` shape, without its
 * duplicate-node-id refinement. A duplicate id is a graph problem like the others, so `validateWorkflow`
 * reports it (code `duplicate-node-id`) together with the rest instead of zod reporting it alone.
 */
export const WorkflowDocument = z.object(WorkflowDefinition.shape)
export type WorkflowDocument = z.output<typeof WorkflowDocument>

const WorkflowIdInput = z.string().min(1, 'A workflow id is required').max(200, 'A workflow id has at most 200 characters')
const RunIdInput = z.string().min(1, 'A run id is required').max(200, 'A run id has at most 200 characters')
const Version = z.number().int().min(1)

/** A saved workflow: the document plus what the plugin maintains. */
export const StoredWorkflow = WorkflowDocument.extend({
  id: z.string().min(1),
  /** 1 on create, +1 on every update. */
  version: Version,
  /** Epoch milliseconds (the host's clock). */
  createdAt: z.number(),
  updatedAt: z.number(),
})
export type StoredWorkflow = z.output<typeof StoredWorkflow>

export const WorkflowSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  version: Version,
  createdAt: z.number(),
  updatedAt: z.number(),
  nodeCount: z.number().int().nonnegative(),
  edgeCount: z.number().int().nonnegative(),
})
export type WorkflowSummary = z.output<typeof WorkflowSummary>

export const ProblemCode = z.enum([
  'unknown-node-type',
  'duplicate-node-id',
  'dangling-edge',
  'unknown-input',
  'unknown-output',
  'cycle',
  'missing-required-input',
  'type-mismatch',
  'duplicate-input-source',
  'duplicate-workflow-output',
  'unknown-workflow',
  'subworkflow-cycle',
  'invalid-expression',
  'unknown-expression-node',
  'invalid-trigger',
])
export type ProblemCode = z.output<typeof ProblemCode>

/** A graph problem found by `validateWorkflow`; `path` is relative to the workflow document. */
export const Problem = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  code: ProblemCode,
  message: z.string(),
})
export type Problem = z.output<typeof Problem>

// ---------------------------------------------------------------------------------------------- CRUD

export const CreateInput = z.object({ workflow: WorkflowDocument })
export const IdInput = z.object({ id: WorkflowIdInput })
export const UpdateInput = z.object({
  id: WorkflowIdInput,
  workflow: WorkflowDocument,
  /** When given, the update is refused with CONFLICT unless the stored version is this one. */
  expectedVersion: Version.optional(),
})
export const DeleteInput = z.object({ id: WorkflowIdInput, expectedVersion: Version.optional() })
export const ValidateInput = z.object({ workflow: WorkflowDocument })

export const ListOutput = z.object({ workflows: z.array(WorkflowSummary) })
export const DeleteOutput = z.object({ id: z.string(), deleted: z.literal(true) })
export const ValidateOutput = z.object({ problems: z.array(Problem) })

// ---------------------------------------------------------------------------------------------- runs

const Issue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  code: z.string().optional(),
})

/** A node's error: the node executor's (`code`, `message`, `issues` for INVALID_PARAMS...) or the engine's. */
export const NodeError = z.object({
  code: z.string(),
  message: z.string(),
  issues: z.array(Issue).optional(),
})
export type NodeError = z.output<typeof NodeError>

export const NodeRunState = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped'])
export type NodeRunState = z.output<typeof NodeRunState>
export const ProgressState = z.enum(['running', 'succeeded', 'failed', 'cancelled', 'skipped'])
export const RunStatus = z.enum(['running', 'succeeded', 'failed', 'cancelled'])
export type RunStatus = z.output<typeof RunStatus>
export const FinalRunStatus = z.enum(['succeeded', 'failed', 'cancelled'])

/**
 * Why a run did not succeed. `failed`: the first failing node (`nodeId`) and its error. `cancelled`:
 * code CANCELLED and who cancelled (a `cancel` call, or the plugin being disabled); no `nodeId`.
 */
export const RunError = z.object({
  code: z.string(),
  message: z.string(),
  nodeId: z.string().optional(),
  issues: z.array(Issue).optional(),
})
export type RunError = z.output<typeof RunError>

/** One line a node logged while it ran (from its execution record), or the engine logged about it. */
export const NodeLog = z.object({
  /** Epoch milliseconds. */
  at: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
})
export type NodeLog = z.output<typeof NodeLog>

/** A fraction in [0, 1] with an optional message (a loop reports the items done). */
export const NodeProgress = z.object({ fraction: z.number().min(0).max(1), message: z.string().optional() })
export type NodeProgress = z.output<typeof NodeProgress>

export const NodeRun = z.object({
  state: NodeRunState,
  /** Epoch milliseconds, once the node started. */
  startedAt: z.number().optional(),
  /** Epoch milliseconds, once a started node succeeded, failed or was cancelled. */
  endedAt: z.number().optional(),
  /** `endedAt - startedAt`. */
  durationMs: z.number().nonnegative().optional(),
  progress: NodeProgress.optional(),
  /** The inputs the node ran with (static inputs, overlay and upstream outputs). */
  inputs: z.record(z.string(), z.unknown()).optional(),
  /** For `succeeded`. */
  outputs: z.record(z.string(), z.unknown()).optional(),
  logs: z.array(NodeLog),
  /** For `failed`. */
  error: NodeError.optional(),
  /** True when the outputs were not computed but taken from the run re-run from (`from`). */
  pinned: z.boolean().optional(),
  /** For a sub-workflow node: the run(s) of the sub-workflow it started (each in the history, `parent` naming this node). */
  childRunIds: z.array(z.string()).optional(),
})
export type NodeRun = z.output<typeof NodeRun>

/** The per-node input overlay of a run: `{ [nodeId]: { [input]: value } }`. */
export const RunInputs = z.record(z.string(), z.record(z.string(), z.unknown()))
export type RunInputs = z.output<typeof RunInputs>

/** Where a re-run starts: that node of that run, with the recorded outputs of the nodes upstream pinned. */
export const RunFrom = z.object({ runId: RunIdInput, nodeId: z.string().min(1).max(64) })
export type RunFrom = z.output<typeof RunFrom>

/** What started a run (`subworkflow`: a sub-workflow node of the run named by `parent`). */
export const RunTrigger = z.object({
  type: z.enum(['manual', 'schedule', 'webhook', 'subworkflow']),
  /** For `schedule`: the time the run was due (epoch milliseconds). */
  scheduledFor: z.number().optional(),
})
export type RunTrigger = z.output<typeof RunTrigger>

export const RunSummary = z.object({
  runId: z.string(),
  workflowId: z.string(),
  /** The version of the workflow the run executes (a snapshot: later updates do not change it). */
  workflowVersion: Version,
  status: RunStatus,
  /** Epoch milliseconds. */
  startedAt: z.number(),
  endedAt: z.number().optional(),
  durationMs: z.number().nonnegative().optional(),
  /** Nodes in a final state. */
  completed: z.number().int().nonnegative(),
  total: z.number().int().positive(),
  error: RunError.optional(),
  trigger: RunTrigger,
  /** For a re-run: the run and node it started from. */
  from: RunFrom.optional(),
  /** For a sub-workflow's run: the run and the node that started it. */
  parent: z.object({ runId: z.string(), nodeId: z.string() }).optional(),
})
export type RunSummary = z.output<typeof RunSummary>

export const Run = RunSummary.extend({
  /** The run's input overlay, as given (or taken from the run re-run from). */
  inputs: RunInputs,
  /** Every node of the workflow, in document order. */
  nodes: z.record(z.string(), NodeRun),
  /** The run was too large to keep whole: its nodes' inputs, outputs and logs were left out of the history. */
  truncated: z.boolean().optional(),
})
export type Run = z.output<typeof Run>

export const RunInput = z.object({
  id: WorkflowIdInput,
  /** Overlays the static inputs of nodes for this run only: `{ [nodeId]: { [input]: value } }`. */
  inputs: RunInputs.optional(),
  /** Re-runs from `nodeId` of run `runId`: that node and its downstream run, the nodes they need are pinned. */
  from: RunFrom.optional(),
})
export const RunOutput = z.object({ runId: z.string() })
export const RunIdParams = z.object({ runId: RunIdInput })
export const CancelOutput = z.object({ cancelled: z.boolean() })
export const ListRunsInput = z
  .object({
    workflowId: WorkflowIdInput.optional(),
    limit: z.number().int().min(1).max(MAX_LIST_RUNS).optional(),
  })
  .optional()
export const ListRunsOutput = z.object({ runs: z.array(RunSummary) })

// ---------------------------------------------------------------------------------------------- events

export const ProgressPayload = z.object({
  runId: z.string(),
  workflowId: z.string(),
  nodeId: z.string(),
  state: ProgressState,
  /** Nodes of the run in a final state, this event's node included. */
  completed: z.number().int().nonnegative(),
  total: z.number().int().positive(),
  /** For `failed`. */
  error: NodeError.optional(),
  /** The node's progress, when it reports one. */
  progress: NodeProgress.optional(),
})
export type ProgressPayload = z.output<typeof ProgressPayload>

export const RunFinishedPayload = z.object({
  runId: z.string(),
  workflowId: z.string(),
  status: FinalRunStatus,
  error: RunError.optional(),
})
export type RunFinishedPayload = z.output<typeof RunFinishedPayload>

export const ChangedPayload = z.object({
  id: z.string(),
  op: z.enum(['created', 'updated', 'deleted']),
  /** The new version, for `created` and `updated`. */
  version: Version.optional(),
})
export type ChangedPayload = z.output<typeof ChangedPayload>

// ---------------------------------------------------------------------------------------------- control types

/** The engine's control node types, described like the node plugin's (`node.listTypes`) for the palette. */
export const ControlTypesOutput = z.object({
  types: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      description: z.string(),
      category: z.literal('flow'),
      inputSchema: z.record(z.string(), z.unknown()),
      outputSchema: z.record(z.string(), z.unknown()),
      /** Outputs it does not produce are branches not taken. */
      branching: z.boolean(),
      /** Runs when at least one input is live. */
      merge: z.boolean(),
    }),
  ),
})

// ---------------------------------------------------------------------------------------------- expressions

export const ExpressionPathsInput = z.object({ workflow: WorkflowDocument, nodeId: z.string().min(1).max(64) })
export const ExpressionPathsOutput = z.object({
  paths: z.array(
    z.object({
      nodeId: z.string(),
      path: z.string(),
      expression: z.string(),
      type: z.string().optional(),
      description: z.string().optional(),
    }),
  ),
})

// ---------------------------------------------------------------------------------------------- webhook

/** `webhook` (not exposed: browser mode's server calls it for `POST /hooks/<id>`). */
export const WebhookInput = z.object({
  id: WorkflowIdInput,
  token: z.string().min(1).max(200),
  /** The request's JSON body: the value of the workflow's `flow.input` nodes. */
  body: z.unknown().optional(),
})

// ---------------------------------------------------------------------------------------------- the contract

export const workflowContract = defineContract({
  id: 'workflow',
  procedures: {
    create: procedure({
      description: 'Validates and saves a new workflow; answers it with its generated id and version 1',
      input: CreateInput,
      output: StoredWorkflow,
      permission: WRITE_PERMISSION,
      expose: true,
    }),
    get: procedure({
      description: 'A saved workflow',
      input: IdInput,
      output: StoredWorkflow,
      permission: READ_PERMISSION,
      expose: true,
    }),
    list: procedure({
      description: 'Summaries of the saved workflows, by name',
      output: ListOutput,
      permission: READ_PERMISSION,
      expose: true,
    }),
    update: procedure({
      description: 'Validates and replaces a saved workflow (CONFLICT when expectedVersion is not the stored one)',
      input: UpdateInput,
      output: StoredWorkflow,
      permission: WRITE_PERMISSION,
      expose: true,
    }),
    delete: procedure({
      description: 'Deletes a saved workflow (its runs in progress go on)',
      input: DeleteInput,
      output: DeleteOutput,
      permission: WRITE_PERMISSION,
      expose: true,
    }),
    validate: procedure({
      description: 'The graph problems of a workflow document, without saving it (paths relative to the document)',
      input: ValidateInput,
      output: ValidateOutput,
      permission: READ_PERMISSION,
      expose: true,
    }),
    run: procedure({
      description:
        'Starts a run of a saved workflow and answers its id at once; `inputs` overlays static node inputs; `from` re-runs from a node of a recorded run',
      input: RunInput,
      output: RunOutput,
      permission: RUN_PERMISSION,
      expose: true,
    }),
    cancel: procedure({
      description: 'Cancels a run: its running nodes are cancelled, the others skipped; false when it already ended',
      input: RunIdParams,
      output: CancelOutput,
      permission: RUN_PERMISSION,
      expose: true,
    }),
    expressionPaths: procedure({
      description: "The expression paths a node's inputs may read ($node.<id>.output...), from the upstream output schemas, for completion",
      input: ExpressionPathsInput,
      output: ExpressionPathsOutput,
      permission: READ_PERMISSION,
      expose: true,
    }),
    webhook: procedure({
      description: "Starts a run for a webhook trigger (browser mode's POST /hooks/<id>); FORBIDDEN unless the workflow has a webhook trigger with this token",
      input: WebhookInput,
      output: RunOutput,
      permission: RUN_PERMISSION,
    }),
    controlTypes: procedure({
      description: "The engine's control-flow node types (if, switch, merge, input, output, sub-workflow, loop) with their port schemas",
      output: ControlTypesOutput,
      permission: READ_PERMISSION,
      expose: true,
    }),
    getRun: procedure({
      description: 'A run: its status, and each node with its state, outputs or error',
      input: RunIdParams,
      output: Run,
      permission: READ_PERMISSION,
      expose: true,
    }),
    listRuns: procedure({
      description: 'Recent runs, the newest first (runs in progress and the last finished ones)',
      input: ListRunsInput,
      output: ListRunsOutput,
      permission: READ_PERMISSION,
      expose: true,
    }),
  },
  events: {
    progress: event({
      description: 'A node of a run changed state (running, then succeeded, failed, cancelled or skipped), in order',
      payload: ProgressPayload,
      permission: READ_PERMISSION,
      expose: true,
    }),
    runFinished: event({
      description: 'A run ended: succeeded, failed (with the failing node and its error) or cancelled',
      payload: RunFinishedPayload,
      permission: READ_PERMISSION,
      expose: true,
    }),
    changed: event({
      description: 'A workflow was created, updated or deleted',
      payload: ChangedPayload,
      permission: READ_PERMISSION,
      expose: true,
    }),
  },
})
