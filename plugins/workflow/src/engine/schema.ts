/**
 * The workflow document: a named graph of nodes (each an instance of a node type from the catalog, with
 * optional static inputs) and edges. Its schema is part of the workflow contract in the SDK
 * (`@atomiton/plugin-sdk/contracts/workflow`); re-exported here for the engine.
 */
export {
  NODE_ID_PATTERN,
  MAX_NODES,
  MAX_EDGES,
  NodeId,
  WorkflowNode,
  WorkflowEdge,
  WorkflowTrigger,
  WorkflowDefinition,
} from '@atomiton/plugin-sdk/contracts/workflow'
