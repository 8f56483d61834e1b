/**
 * The code pack: the `code.run` node type, a transform running the person's JavaScript in the SDK's
 * WebAssembly sandbox. Switch the plugin off in Settings to withdraw it (its sandbox is disposed).
 */
import { definePlugin } from '@atomiton/plugin-sdk'
import { nodeTypes } from '@atomiton/plugin-sdk/contracts'
import { codeSettings } from './settings'
import { createCodeNode } from './code-node'
import { SandboxHolder } from '@atomiton/plugin-sdk/sandbox'

export const codePlugin = definePlugin({
  id: 'code',
  version: '0.1.0',
  description: 'Code node: your JavaScript in a WebAssembly sandbox with time and memory limits',
  // Capabilities it uses, shown to the person; it calls no other plugin.
  permissions: ['sandbox.run'],
  settings: codeSettings,
  setup(ctx) {
    const sandboxes = new SandboxHolder('code')
    ctx.onDispose(() => sandboxes.dispose())
    ctx.contribute(nodeTypes, createCodeNode(() => ctx.settings.get(), sandboxes))
  },
})
