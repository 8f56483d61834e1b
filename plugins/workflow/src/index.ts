/** The workflow plugin and its wire contract. */
export { createWorkflowPlugin, workflowPlugin, type WorkflowPluginOptions } from './plugin'
export * from './api'
