/**
 * The contract of the built-in `node` plugin: the zod schemas of its procedures' inputs and outputs and of
 * its `status` event, and its `types` extension point, where any plugin contributes node types:
 *
 *   ctx.contribute(nodeContract.extensionPoints.types, defineNodeType({ id: 'text.upper', ... }))
 *
 * The typed client reads its types from here, the host validates against these schemas, and a package
 * gets all of it without importing the node plugin's code.
 */
import * as z from 'zod'
import { event } from '@atomiton/core/plugin/definition'
import { defineContract, extensionPoint, procedure } from '@atomiton/core/plugin/contract'

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** What a running node gets besides its inputs. */
export interface NodeExecutionContext {
  /** Aborts when the execution is cancelled; a node that waits must stop (and reject) promptly. */
  readonly signal: AbortSignal
  /** Appends to the execution record's logs. */
  log(level: LogLevel, message: string, data?: unknown): void
  /** Reports progress as a fraction in [0, 1] (clamped), with an optional message. */
  progress(fraction: number, message?: string): void
}

/**
 * A node type: an id, a human description, an input and an output zod schema, and an `execute` that turns
 * validated inputs into outputs. The executor validates both sides, so `execute` receives parsed inputs
 * (`z.output` of the input schema) and may return anything the output schema accepts (`z.input`).
 */
export interface NodeType<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** Dotted lowercase segments, e.g. `math.arithmetic`: see `NODE_TYPE_ID_PATTERN`. */
  readonly id: string
  readonly title: string
  readonly description: string
  readonly category?: string
  readonly input: I
  readonly output: O
  execute(inputs: z.output<I>, ctx: NodeExecutionContext): Promise<z.input<O>> | z.input<O>
}

/** `math.arithmetic`, `core.constant`, `my-plugin.do-thing`... */
export const NODE_TYPE_ID_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/

/** Identity, so that `execute` is typed from the schemas without spelling the generics. */
export function defineNodeType<I extends z.ZodType, O extends z.ZodType>(def: NodeType<I, O>): NodeType<I, O> {
  return def
}

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

// ---------------------------------------------------------------------------------------------- contract

export const nodeContract = defineContract({
  id: 'node',
  procedures: {
    listTypes: procedure({
      description: 'Lists the registered node types with the JSON Schemas of their inputs and outputs',
      output: listTypesOutput,
      permission: NODE_READ_PERMISSION,
      expose: true,
    }),
    execute: procedure({
      description:
        'Runs one node and answers its final record (a node that fails answers state "failed"); ' +
        'NOT_FOUND for an unknown type, INVALID_PARAMS (paths under "inputs") for bad inputs',
      input: executeInput,
      output: finalExecutionRecordSchema,
      permission: NODE_EXECUTE_PERMISSION,
      expose: true,
      // the execution's own `timeoutMs` (at most MAX_EXECUTE_TIMEOUT_MS) fires before the call's limit
      timeoutMs: MAX_EXECUTE_TIMEOUT_MS + 1_000,
    }),
    start: procedure({
      description: 'Starts one node in the background and answers its execution id at once',
      input: startInput,
      output: startOutput,
      permission: NODE_EXECUTE_PERMISSION,
      expose: true,
    }),
    getStatus: procedure({
      description: 'The record of a running or recently finished execution (NOT_FOUND otherwise)',
      input: executionIdParams,
      output: executionRecordSchema,
      permission: NODE_READ_PERMISSION,
      expose: true,
    }),
    cancel: procedure({
      description: 'Cancels a running execution; false when it is unknown or already finished',
      input: executionIdParams,
      output: cancelOutput,
      permission: NODE_EXECUTE_PERMISSION,
      expose: true,
    }),
    list: procedure({
      description: `The most recent executions, newest first (default ${DEFAULT_LIST_LIMIT})`,
      input: listInput,
      output: listOutput,
      permission: NODE_READ_PERMISSION,
      expose: true,
    }),
  },
  events: {
    status: event({
      description: 'An execution changed state or reported progress',
      payload: statusEventPayload,
      permission: NODE_READ_PERMISSION,
      expose: true,
    }),
  },
  extensionPoints: {
    /** Node types contributed by other plugins; they leave with their contributor. */
    types: extensionPoint<NodeType>({ description: 'Node types other plugins add to the registry' }),
  },
})

/** The extension point other plugins contribute node types to: `ctx.contribute(nodeTypes, nodeType)`. */
export const nodeTypes = nodeContract.extensionPoints.types

/** Its id (`node.types`), for the deprecated string form. */
export const NODE_TYPES_EXTENSION_POINT = nodeTypes.id
