/**
 * The node plugin's wire schemas live in its contract (`@atomiton/plugin-sdk/contracts`, node.ts); this
 * module re-exports what the plugin uses and checks that the engine's plain types fit them.
 */
import type * as z from 'zod'
import type {
  executionRecordSchema,
  finalExecutionRecordSchema,
  nodeTypeDescriptionSchema,
  NodeStatusEvent,
  statusEventPayload,
} from '@atomiton/plugin-sdk/contracts/node'
import type { ExecutionRecord, ExecutionState, NodeTypeDescription } from './engine/index'

export {
  DEFAULT_LIST_LIMIT,
  HISTORY_LIMIT,
  MAX_EXECUTE_TIMEOUT_MS,
  NODE_EXECUTE_PERMISSION,
  NODE_READ_PERMISSION,
  NODE_TYPES_EXTENSION_POINT,
  type NodeStatusEvent,
} from '@atomiton/plugin-sdk/contracts/node'

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
