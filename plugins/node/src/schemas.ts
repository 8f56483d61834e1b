/**
 * The wire contract of the node plugin: the zod schemas of its procedures' inputs and outputs and of its
 * `status` event. The typed client reads its types from them, and the host validates against them.
 */
import * as z from 'zod'
import { LOG_LEVELS, type ExecutionRecord, type ExecutionState, type NodeTypeDescription } from './engine/index'

/** The extension point other plugins contribute node types to: `ctx.contribute('node.types', nodeType)`. */
export const NODE_TYPES_EXTENSION_POINT = 'node.types'

/** Permissions: reading types and executions, and running or cancelling them. */
export const NODE_READ_PERMISSION = 'node.read'
export const NODE_EXECUTE_PERMISSION = 'node.execute'

/** The longest an `execute` call may wait for its execution (its `timeoutMs` and the procedure's limit). */
export const MAX_EXECUTE_TIMEOUT_MS = 10 * 60_000

/** How many finished executions `getStatus` and `list` remember. */
export const HISTORY_LIMIT = 200
export const DEFAULT_LIST_LIMIT = 50

// ---------------------------------------------------------------------------------------------- inputs

const typeIdInput = z
  .string({ error: (issue) => (issue.input === undefined ? 'Node type is required' : 'Node type must be a string') })
  .min(1, 'Node type is required')
  .max(200, 'Node type id is too long')
  .describe('The id of a registered node type, e.g. "math.arithmetic"')

const inputsInput = z
  .record(z.string(), z.unknown())
  .optional()
  .describe("The node's inputs, checked against its input schema (default {})")

const timeoutInput = z
  .number()
  .int()
  .positive()
  .max(MAX_EXECUTE_TIMEOUT_MS)
  .optional()
  .describe('Time limit of the execution in ms: past it, it fails with TIMEOUT')

const executionIdInput = z
  .string({ error: (issue) => (issue.input === undefined ? 'Execution id is required' : 'Execution id must be a string') })
  .min(1, 'Execution id is required')
  .max(200, 'Execution id is too long')

export const executeInput = z.object({ type: typeIdInput, inputs: inputsInput, timeoutMs: timeoutInput })
export const startInput = executeInput
export const executionIdParams = z.object({ executionId: executionIdInput })
export const listInput = z
  .object({ limit: z.number().int().min(1).max(HISTORY_LIMIT).optional().describe(`Most records (default ${DEFAULT_LIST_LIMIT})`) })
  .optional()

export type ExecuteInput = z.output<typeof executeInput>

// ---------------------------------------------------------------------------------------------- outputs

const jsonSchema = z.record(z.string(), z.unknown())

export const nodeTypeDescriptionSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  category: z.string().optional(),
  owner: z.string(),
  inputSchema: jsonSchema,
  outputSchema: jsonSchema,
})

export const listTypesOutput = z.object({ types: z.array(nodeTypeDescriptionSchema).readonly() })

export const executionStateSchema = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled'])
export const finalExecutionStateSchema = z.enum(['succeeded', 'failed', 'cancelled'])

export const executionIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])).readonly(),
  message: z.string(),
})

export const executionErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  issues: z.array(executionIssueSchema).readonly().optional(),
  data: z.unknown().optional(),
})

export const executionProgressSchema = z.object({ fraction: z.number().min(0).max(1), message: z.string().optional() })

export const executionLogEntrySchema = z.object({
  level: z.enum(LOG_LEVELS),
  message: z.string(),
  data: z.unknown().optional(),
  at: z.number(),
})

export const executionRecordSchema = z.object({
  id: z.string(),
  type: z.string(),
  state: executionStateSchema,
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  durationMs: z.number().optional(),
  outputs: z.unknown().optional(),
  error: executionErrorSchema.optional(),
  logs: z.array(executionLogEntrySchema).readonly(),
  droppedLogs: z.number().optional(),
  progress: executionProgressSchema.optional(),
})

/** What `execute` answers: a finished record. */
export const finalExecutionRecordSchema = executionRecordSchema.extend({
  state: finalExecutionStateSchema,
  finishedAt: z.number(),
  durationMs: z.number(),
})

export const startOutput = z.object({ executionId: z.string() })
export const cancelOutput = z.object({ cancelled: z.boolean() })
export const listOutput = z.object({ executions: z.array(executionRecordSchema).readonly() })

// ---------------------------------------------------------------------------------------------- events

export const statusEventPayload = z.object({
  executionId: z.string(),
  type: z.string(),
  state: executionStateSchema,
  progress: executionProgressSchema.optional(),
  durationMs: z.number().optional(),
  error: executionErrorSchema.optional(),
})

/** The payload of the `node.status` event. */
export type NodeStatusEvent = z.output<typeof statusEventPayload>

/** A finished execution record, as `execute` answers it. */
export type FinalExecutionRecord = ExecutionRecord & {
  readonly state: Exclude<ExecutionState, 'pending' | 'running'>
  readonly finishedAt: number
  readonly durationMs: number
}

// The engine's plain types must fit the wire schemas (a compile-time check, no runtime cost).
type Assert<T extends true> = T
export type _Checks = [
  Assert<ExecutionRecord extends z.input<typeof executionRecordSchema> ? true : false>,
  Assert<FinalExecutionRecord extends z.input<typeof finalExecutionRecordSchema> ? true : false>,
  Assert<NodeTypeDescription extends z.input<typeof nodeTypeDescriptionSchema> ? true : false>,
  Assert<NodeStatusEvent extends z.input<typeof statusEventPayload> ? true : false>,
]
