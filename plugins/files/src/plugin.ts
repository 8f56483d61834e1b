/**
 * The files pack: file node types confined to the folders the person granted in this plugin's settings (none
 * by default). Switch it off in Settings to withdraw the node types.
 */
import { definePlugin } from '@atomiton/plugin-sdk'
import { nodeTypes } from '@atomiton/plugin-sdk/contracts'
import { filesSettings } from './settings'
import { createFileNodes } from './file-nodes'

export const filesPlugin = definePlugin({
  id: 'files',
  version: '0.1.0',
  description: 'File nodes (read, write, list, move...): inside the folders granted in its settings only (none by default)',
  // Capabilities it uses, shown to the person; it calls no other plugin.
  permissions: ['files.granted-folders'],
  settings: filesSettings,
  setup(ctx) {
    for (const type of createFileNodes(() => ctx.settings.get())) ctx.contribute(nodeTypes, type)
  },
})
