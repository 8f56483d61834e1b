/**
 * @atomiton/plugin-sdk/contracts: the built-in plugins' contracts, importable without their code.
 *
 *   import { storageContract, nodeTypes, defineNodeType } from '@atomiton/plugin-sdk/contracts'
 *   await ctx.client(storageContract).get({ namespace: 'mine', key: 'k' })
 *   ctx.contribute(nodeTypes, defineNodeType({ id: 'text.upper', ... }))
 *
 * Each contract's schemas and constants: `@atomiton/plugin-sdk/contracts/<id>` (e.g. `.../contracts/storage`).
 * Adding a built-in plugin with an API others use: put its contract in `<id>.ts` here and export it below.
 */
export { systemContract } from './system'
export { storageContract } from './storage'
export { workflowContract } from './workflow'
export {
  nodeContract,
  nodeTypes,
  defineNodeType,
  type NodeType,
  type NodeExecutionContext,
  type LogLevel,
  type NodeStatusEvent,
} from './node'
