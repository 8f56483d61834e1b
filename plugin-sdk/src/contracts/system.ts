/**
 * The contract of the built-in `system` plugin: health, runtime information and plugin management.
 */
import { z } from 'zod'
import { event } from '@atomiton/core/plugin/definition'
import { defineContract, procedure } from '@atomiton/core/plugin/contract'

export const PluginState = z.enum(['inactive', 'active', 'disabled', 'failed', 'blocked'])

export const PluginError = z.object({ message: z.string(), code: z.string().optional() })

export const PluginSummary = z.object({
  id: z.string(),
  version: z.string(),
  description: z.string(),
  state: PluginState,
  error: PluginError.optional(),
  required: z.boolean(),
  /** It declares settings: `system.getPluginSettings` describes them. */
  hasSettings: z.boolean(),
  dependencies: z.array(z.string()),
  dependents: z.array(z.string()),
})

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  checkedAt: z.number(),
  plugins: z.array(z.object({ id: z.string(), state: PluginState, error: PluginError.optional() })),
})

export const Info = z.object({
  appName: z.string(),
  appVersion: z.string(),
  mode: z.string(),
  versions: z.object({
    node: z.string().optional(),
    v8: z.string().optional(),
    electron: z.string().optional(),
    chrome: z.string().optional(),
  }),
  platform: z.string(),
  arch: z.string(),
  memory: z.object({ rss: z.number(), heapUsed: z.number(), heapTotal: z.number() }),
  uptimeMs: z.number(),
})

export const PluginId = z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'A plugin id: a lowercase letter, then letters and digits')

export const ToggleInput = z.object({
  id: PluginId,
  /** Also toggle what depends on it (disable) or what it depends on (enable). */
  cascade: z.boolean().default(false),
})

export const ToggleOutput = z.object({
  plugin: z.string(),
  changes: z.array(z.object({ id: z.string(), from: PluginState, to: PluginState, error: PluginError.optional() })),
  plugins: z.array(PluginSummary),
})

export const PluginChanged = z.object({ id: z.string(), from: PluginState, to: PluginState, error: PluginError.optional() })

const SettingsValues = z.record(z.string(), z.unknown())

export const PluginSettingsInput = z.object({ id: PluginId })

export const PluginSettingsOutput = z.object({
  id: z.string(),
  /** The settings schema as JSON Schema (`io: 'input'`: fields with defaults are optional), for a form. */
  schema: z.record(z.string(), z.unknown()),
  values: SettingsValues,
  defaults: SettingsValues,
  /** Set when the saved values no longer fit the schema (after an upgrade) and the defaults are in use. */
  notice: z.string().optional(),
})

export const SetPluginSettingsInput = z.object({ id: PluginId, values: z.unknown() })

export const SetPluginSettingsOutput = z.object({ id: z.string(), values: SettingsValues })

export const PluginSettingsChanged = z.object({ id: z.string() })

export const systemContract = defineContract({
  id: 'system',
  procedures: {
    health: procedure({
      description: 'Overall status and the state of every plugin',
      output: Health,
      permission: 'system.read',
      expose: true,
    }),
    getInfo: procedure({
      description: 'App version, runtime versions, platform, memory use and uptime',
      output: Info,
      permission: 'system.read',
      expose: true,
    }),
    listPlugins: procedure({
      description: 'Every plugin with its state, error, dependencies and dependents',
      output: z.object({ plugins: z.array(PluginSummary) }),
      permission: 'system.read',
      expose: true,
    }),
    enablePlugin: procedure({
      description: 'Turns a plugin on (with cascade: its dependencies too); says what else changed',
      input: ToggleInput,
      output: ToggleOutput,
      permission: 'system.admin',
      expose: true,
    }),
    disablePlugin: procedure({
      description: 'Turns a plugin off (with cascade: its dependents too); says what else changed',
      input: ToggleInput,
      output: ToggleOutput,
      permission: 'system.admin',
      expose: true,
    }),
    getPluginSettings: procedure({
      description: 'A plugin’s settings: their JSON Schema, current values, defaults, and a notice if saved values were dropped',
      input: PluginSettingsInput,
      output: PluginSettingsOutput,
      permission: 'system.read',
      expose: true,
    }),
    setPluginSettings: procedure({
      description: 'Validates, saves and applies a plugin’s settings (the plugin hears of it at once)',
      input: SetPluginSettingsInput,
      output: SetPluginSettingsOutput,
      permission: 'system.admin',
      expose: true,
    }),
  },
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
})
