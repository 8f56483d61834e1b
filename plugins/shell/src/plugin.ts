/**
 * The shell pack: the `shell.run` node type. Off by default: the person switches it on in this plugin's
 * settings, whose description warns what that allows. Switch the plugin off in Settings to withdraw the type.
 */
import { definePlugin } from '@atomiton/plugin-sdk'
import { nodeTypes } from '@atomiton/plugin-sdk/contracts'
import { shellSettings } from './settings'
import { createRunNode } from './run-node'

export const shellPlugin = definePlugin({
  id: 'shell',
  version: '0.1.0',
  description: 'Run-program node: off until switched on in its settings; no shell, granted folders only',
  // Capabilities it uses, shown to the person; it calls no other plugin.
  permissions: ['process.spawn'],
  settings: shellSettings,
  setup(ctx) {
    ctx.contribute(nodeTypes, createRunNode(() => ctx.settings.get()))
  },
})
