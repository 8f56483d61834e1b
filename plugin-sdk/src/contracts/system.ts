/**
 * The contract of the built-in `system` plugin: health, runtime information and plugin management.
 */
import { z } from 'zod'
import { event } from '@atomiton/core/plugin/definition'
import { defineContract, procedure } from '@atomiton/core/plugin/contract'

export const PluginState = z.enum(['inactive', 'starting', 'active', 'disabled', 'failed', 'blocked', 'uninstalled'])

export const PluginError = z.object({ message: z.string(), code: z.string().optional() })

export const PluginProcess = z.object({
  pid: z.number().int().optional(),
  state: z.enum(['starting', 'running', 'restarting', 'stopped', 'failed']),
  /** Resident memory at its last heartbeat, in bytes. */
  memoryBytes: z.number().optional(),
  restarts: z.number().int(),
  lastError: z.string().optional(),
  startedAt: z.number().optional(),
})

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
  origin: z.enum(['builtin', 'installed']),
  /** An installed package's folder on the host machine. */
  folder: z.string().optional(),
  /** What the plugin may call (for a package: what the person approved). */
  permissions: z.array(z.string()),
  /** An installed package running in its own process: that process (core/src/isolation/). */
  process: PluginProcess.optional(),
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

export const PluginChanged = z.object({
  id: z.string(),
  from: PluginState,
  to: PluginState,
  error: PluginError.optional(),
  /** Set when a package was installed, upgraded or uninstalled. */
  reason: z.enum(['installed', 'upgraded', 'uninstalled']).optional(),
  version: z.string().optional(),
})

/** Largest `.tgz` the Settings view may send (the RPC message carries it whole). */
export const MAX_ARCHIVE_BYTES = 32 * 1024 * 1024

export const InspectPackageInput = z
  .object({
    archive: z
      .instanceof(Uint8Array)
      .refine((bytes) => bytes.byteLength > 0 && bytes.byteLength <= MAX_ARCHIVE_BYTES, `A .tgz of 1 byte to ${MAX_ARCHIVE_BYTES} bytes`)
      .optional(),
    folder: z.string().min(1).max(4096).optional(),
  })
  .refine((input) => (input.archive === undefined) !== (input.folder === undefined), 'Give either archive or folder')

const Permissions = z.array(z.string())

export const InspectPackageOutput = z.object({
  stagingId: z.string(),
  id: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  apiRange: z.string(),
  permissions: Permissions,
  settingsSchema: z.record(z.string(), z.unknown()).optional(),
  current: z.object({ version: z.string(), permissions: Permissions }).optional(),
  addedPermissions: Permissions,
  removedPermissions: Permissions,
})

export const InstallPluginInput = z.object({
  stagingId: z.string().min(1).max(200),
  approvedPermissions: z.array(z.string().max(200)).max(1000),
})

export const InstallPluginOutput = z.object({
  id: z.string(),
  version: z.string(),
  state: PluginState,
  upgradedFrom: z.string().optional(),
})

export const UninstallPluginInput = z.object({ id: PluginId, deleteData: z.boolean().default(false) })

export const UninstallPluginOutput = z.object({ id: z.string(), removed: z.literal(true), dataDeleted: z.boolean() })

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
      description: 'Every plugin (built in or installed) with its state, error, dependencies, dependents and permissions',
      output: z.object({ plugins: z.array(PluginSummary) }),
      permission: 'system.read',
      expose: true,
    }),
    inspectPackage: procedure({
      description: 'Unpacks a plugin package (.tgz or folder) into staging and validates it; says what it asks for',
      input: InspectPackageInput,
      output: InspectPackageOutput,
      permission: 'system.admin',
      expose: true,
    }),
    installPlugin: procedure({
      description: 'Installs (or upgrades) an inspected package once its permissions are approved, and activates it',
      input: InstallPluginInput,
      output: InstallPluginOutput,
      permission: 'system.admin',
      expose: true,
    }),
    uninstallPlugin: procedure({
      description: 'Removes an installed package (its stored data stays unless deleteData)',
      input: UninstallPluginInput,
      output: UninstallPluginOutput,
      permission: 'system.admin',
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
      description: 'A plugin changed state (enabled, disabled, failed, blocked), or a package was installed, upgraded or uninstalled',
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
