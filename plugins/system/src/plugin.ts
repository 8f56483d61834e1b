/**
 * The `system` plugin: health, runtime information, and plugin management for the settings page.
 * It is required (it cannot be disabled: it is how plugins are turned back on). Toggles follow the
 * kernel's dependency rules; the choice is persisted by the host and restored on restart.
 */
import { definePlugin, event } from '@atomiton/plugin-sdk'
import {
  Health,
  Info,
  PluginChanged,
  PluginSettingsChanged,
  PluginSettingsInput,
  PluginSettingsOutput,
  PluginSummary,
  SetPluginSettingsInput,
  SetPluginSettingsOutput,
  ToggleInput,
  ToggleOutput,
} from './schemas'
import { z } from 'zod'

export const systemPlugin = definePlugin({
  id: 'system',
  version: '1.0.0',
  description: 'Health, runtime information and plugin management',
  required: true,
  events: {
    pluginChanged: event({
      description: 'A plugin changed state (enabled, disabled, failed, blocked)',
      payload: PluginChanged,
      permission: 'system.read',
      expose: true,
    }),
    pluginSettingsChanged: event({
      description: 'A plugin’s settings were saved or reset; read them again with getPluginSettings',
      payload: PluginSettingsChanged,
      permission: 'system.read',
      expose: true,
    }),
  },
  procedures: (p) => ({
    health: p.procedure({
      description: 'Overall status and the state of every plugin',
      output: Health,
      permission: 'system.read',
      expose: true,
    }).handler((_input, ctx) => {
      const plugins = ctx.services.plugins.list().map(({ id, state, error }) => ({ id, state, ...(error ? { error } : {}) }))
      const degraded = plugins.some((plugin) => plugin.state === 'failed' || plugin.state === 'blocked')
      return { status: degraded ? 'degraded' : 'ok', checkedAt: ctx.services.clock.now(), plugins }
    }),
    getInfo: p.procedure({
      description: 'App version, runtime versions, platform, memory use and uptime',
      output: Info,
      permission: 'system.read',
      expose: true,
      handler: (_input, ctx) => {
        const { runtime, clock } = ctx.services
        const { node, v8, electron, chrome } = runtime.versions
        return {
          appName: runtime.appName,
          appVersion: runtime.appVersion,
          mode: runtime.mode,
          versions: { node, v8, electron, chrome },
          platform: runtime.platform,
          arch: runtime.arch,
          memory: runtime.memory(),
          uptimeMs: Math.max(0, clock.now() - runtime.startedAt),
        }
      },
    }),
    listPlugins: p.procedure({
      description: 'Every plugin with its state, error, dependencies and dependents',
      output: z.object({ plugins: z.array(PluginSummary) }),
      permission: 'system.read',
      expose: true,
      handler: (_input, ctx) => ({ plugins: [...ctx.services.plugins.list()] }),
    }),
    enablePlugin: p.procedure({
      description: 'Turns a plugin on (with cascade: its dependencies too); says what else changed',
      input: ToggleInput,
      output: ToggleOutput,
      permission: 'system.admin',
      expose: true,
      handler: async ({ id, cascade }, ctx) => {
        const result = await ctx.services.plugins.enable(id, { cascade })
        return { ...result, plugins: [...ctx.services.plugins.list()] }
      },
    }),
    disablePlugin: p.procedure({
      description: 'Turns a plugin off (with cascade: its dependents too); says what else changed',
      input: ToggleInput,
      output: ToggleOutput,
      permission: 'system.admin',
      expose: true,
      handler: async ({ id, cascade }, ctx) => {
        const result = await ctx.services.plugins.disable(id, { cascade })
        return { ...result, plugins: [...ctx.services.plugins.list()] }
      },
    }),
    getPluginSettings: p.procedure({
      description: 'A plugin’s settings: their JSON Schema, current values, defaults, and a notice if saved values were dropped',
      input: PluginSettingsInput,
      output: PluginSettingsOutput,
      permission: 'system.read',
      expose: true,
      handler: ({ id }, ctx) => ctx.services.pluginSettings.describe(id),
    }),
    setPluginSettings: p.procedure({
      description: 'Validates, saves and applies a plugin’s settings (the plugin hears of it at once)',
      input: SetPluginSettingsInput,
      output: SetPluginSettingsOutput,
      permission: 'system.admin',
      expose: true,
      handler: ({ id, values }, ctx) => ctx.services.pluginSettings.set(id, values),
    }),
  }),
  setup(ctx) {
    const settingsChanges = ctx.services.pluginSettings.onChange((id) => ctx.emit('pluginSettingsChanged', { id }))
    ctx.onDispose(() => settingsChanges.dispose())
    ctx.hooks.pluginStateChanged.tap('announce', (change) => {
      // Its own disabling is impossible (required), so the event always exists while this tap does.
      ctx.emit('pluginChanged', change)
    })
  },
})
