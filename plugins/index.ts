/**
 * The built-in plugins, in one list: the host loads them, and the renderer's client takes its types
 * from them (`import type { BuiltinPlugins } from '@atomiton/plugins'`), so there is no API interface
 * written by hand anywhere.
 */
import { nodePlugin } from './node/index'
import { storagePlugin } from './storage/index'
import { systemPlugin } from './system/index'
import { workflowPlugin } from './workflow/src/index'

export const builtinPlugins = [systemPlugin, storagePlugin, nodePlugin, workflowPlugin] as const

export type BuiltinPlugins = typeof builtinPlugins

export { nodePlugin, storagePlugin, systemPlugin, workflowPlugin }
