/**
 * The node plugin: `nodePlugin` for the host, and the plain types other code may need
 * (`import type { ExecutionRecord } from '.../plugins/node'` in the renderer).
 */
export { nodePlugin } from './src/plugin'
export { NODE_TYPES_EXTENSION_POINT, NODE_READ_PERMISSION, NODE_EXECUTE_PERMISSION } from './src/schemas'
export type { NodeStatusEvent, FinalExecutionRecord } from './src/schemas'
export type {
  NodeType,
  NodeExecutionContext,
  NodeTypeDescription,
  JsonSchema,
  LogLevel,
  ExecutionRecord,
  ExecutionState,
  ExecutionError,
  ExecutionIssue,
  ExecutionLogEntry,
  ExecutionProgress,
} from './src/engine/index'
