/**
 * The http pack: the `http.request` node type, reaching only the hosts the person allowed in this plugin's
 * settings (none by default). Switch it off in Settings to withdraw the node type.
 */
import { definePlugin } from '@atomiton/plugin-sdk'
import { nodeTypes } from '@atomiton/plugin-sdk/contracts'
import { httpSettings } from './settings'
import { createRequestNode } from './request-node'

export const httpPlugin = definePlugin({
  id: 'http',
  version: '0.1.0',
  description: 'HTTP request node: to the hosts allowed in its settings only (none by default)',
  // Capabilities it uses, shown to the person; it calls no other plugin.
  permissions: ['network.http'],
  settings: httpSettings,
  setup(ctx) {
    ctx.contribute(nodeTypes, createRequestNode(() => ctx.settings.get()))
  },
})
