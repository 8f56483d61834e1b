/**
 * The contract of a node type: an id, a human description, an input and an output zod schema, and an
 * `execute` that turns validated inputs into outputs. The executor validates both sides, so `execute`
 * receives parsed inputs (`z.output` of the input schema) and may return anything the output schema
 * accepts (`z.input` of the output schema).
 */
import * as z from 'zod'
import { NODE_TYPE_ID_PATTERN, type NodeType } from '@atomiton/plugin-sdk/contracts/node'
import { NodeError, NodeErrorCodes, issuesFromZod, summarizeIssues } from './errors'

// The node type's shape is part of the node plugin's contract (the `types` extension point's value).
export { LOG_LEVELS, NODE_TYPE_ID_PATTERN, defineNodeType } from '@atomiton/plugin-sdk/contracts/node'
export type { LogLevel, NodeExecutionContext, NodeType } from '@atomiton/plugin-sdk/contracts/node'

/**
 * True for a zod 4 schema. `instanceof` alone would reject schemas built by another copy of zod (or by
 * `zod/mini`), which the engine handles too: it only uses zod's top-level functions on them.
 */
export function isZodSchema(value: unknown): value is z.ZodType {
  if (value instanceof z.ZodType) return true
  if (typeof value !== 'object' || value === null || !('_zod' in value)) return false
  const internals: unknown = value._zod
  return typeof internals === 'object' && internals !== null && 'def' in internals
}

export const nodeTypeIdSchema = z
  .string()
  .max(200)
  .regex(NODE_TYPE_ID_PATTERN, 'Node type id must be dotted lowercase segments, e.g. "math.arithmetic"')

/**
 * Checks, at run time, that an arbitrary contributed object is a well-formed node type. Use
 * `parseNodeType` to get the object itself back (this schema's parsed output is a copy, which would
 * lose a class instance's prototype).
 */
export const nodeTypeSchema = z.object({
  id: nodeTypeIdSchema,
  title: z
    .string()
    .max(200)
    .refine((title) => title.trim() !== '', 'Title must not be blank'),
  description: z.string().max(10_000),
  category: z.string().min(1).max(200).optional(),
  input: z.custom<z.ZodType>(isZodSchema, 'Input must be a zod schema'),
  output: z.custom<z.ZodType>(isZodSchema, 'Output must be a zod schema'),
  execute: z.custom<NodeType['execute']>((value) => typeof value === 'function', 'Execute must be a function'),
})

/** True when `value` is a well-formed node type. */
export function isNodeType(value: unknown): value is NodeType {
  return nodeTypeSchema.safeParse(value).success
}

/** Returns `value` itself when it is a well-formed node type; throws a NodeError INVALID_PARAMS with issues otherwise. */
export function parseNodeType(value: unknown): NodeType {
  const result = nodeTypeSchema.safeParse(value)
  if (!result.success) {
    const issues = issuesFromZod(result.error.issues)
    throw new NodeError(NodeErrorCodes.INVALID_PARAMS, `Invalid node type: ${summarizeIssues(issues)}`, { issues })
  }
  return value as NodeType
}
