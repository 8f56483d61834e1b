/**
 * The built-in plugins, in one list: the host loads them, and the renderer's client takes its types
 * from them (`import type { BuiltinPlugins } from '@atomiton/plugins'`), so there is no API interface
 * written by hand anywhere.
 */
import { nodePlugin } from './node/index'
import { storagePlugin } from './storage/index'
import { systemPlugin } from './system/index'
import { workflowPlugin } from './workflow/src/index'
import { httpPlugin } from './http/index'
import { filesPlugin } from './files/index'
import { shellPlugin } from './shell/index'
import { codePlugin } from './code/index'
import { dataPlugin } from './data/index'

/** The node packs (issue 12) come after the node plugin; each contributes node types and has its own settings. */
export const builtinPlugins = [systemPlugin, storagePlugin, nodePlugin, workflowPlugin, httpPlugin, filesPlugin, shellPlugin, codePlugin, dataPlugin] as const

export type BuiltinPlugins = typeof builtinPlugins

export { nodePlugin, storagePlugin, systemPlugin, workflowPlugin, httpPlugin, filesPlugin, shellPlugin, codePlugin, dataPlugin }
