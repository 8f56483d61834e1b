/**
 * @atomiton/core/client: what a renderer needs, and nothing of the host.
 */
export type { AtomitonBridge } from '../common/bridge'
export { RpcError, ErrorCodes, isErrorCode, type ErrorCode, type ErrorShape, type ValidationIssue, type InvalidParamsData } from '../common/errors'
export { createRPCClient, type ClientOptions } from './client'
export type * from './types'
