/**
 * The `system` plugin: health, runtime information, plugin management for the settings page, and installed
 * packages (inspect, install or upgrade, uninstall) through the host's `packages` service.
 * It is required (it cannot be disabled: it is how plugins are turned back on). Toggles follow the
 * kernel's dependency rules; the choice is persisted by the host and restored on restart.
 * Its contract (procedures, schemas, permissions, event) is `systemContract` in the SDK.
 */
import { implement } from '@atomiton/plugin-sdk'
import { systemContract } from '@atomiton/plugin-sdk/contracts/system'

export const systemPlugin = implement(systemContract, {
  version: '1.0.0',
  description: 'Health, runtime information and plugin management',
  required: true,
  // The only holder of host.admin: plugin management (`plugins`), every plugin's settings and the packages
  // are what this plugin serves to the Settings view; `clock` and `runtime` answer health and getInfo.
  permissions: ['host.admin'],
  hostServices: ['clock', 'runtime', 'plugins', 'pluginSettings', 'packages'],
  handlers: {
    health: (_input, ctx) => {
      const plugins = ctx.services.plugins.list().map(({ id, state, error }) => ({ id, state, ...(error ? { error } : {}) }))
      const degraded = plugins.some((plugin) => plugin.state === 'failed' || plugin.state === 'blocked')
      return { status: degraded ? 'degraded' : 'ok', checkedAt: ctx.services.clock.now(), plugins }
    },
    getInfo: (_input, ctx) => {
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
    // Installed packages that could not be loaded (or were skipped in safe mode) are listed too, so they can be removed.
    listPlugins: async (_input, ctx) => {
      // Installed packages are found in the background at start: listed (as `starting`) once they are known.
      await ctx.services.packages.listed()
      return { plugins: [...ctx.services.plugins.list(), ...ctx.services.packages.unloaded()] }
    },
    inspectPackage: (input, ctx) => ctx.services.packages.inspect(input),
    installPlugin: (input, ctx) => ctx.services.packages.install(input),
    uninstallPlugin: async (input, ctx) => {
      const result = await ctx.services.packages.uninstall(input)
      // Its settings are part of its data: deleted with it when asked, kept for a reinstall otherwise.
      if (result.dataDeleted) ctx.services.pluginSettings.reset(result.id)
      return result
    },
    enablePlugin: async ({ id, cascade }, ctx) => {
      const result = await ctx.services.plugins.enable(id, { cascade })
      return { ...result, plugins: [...ctx.services.plugins.list()] }
    },
    disablePlugin: async ({ id, cascade }, ctx) => {
      const result = await ctx.services.plugins.disable(id, { cascade })
      return { ...result, plugins: [...ctx.services.plugins.list()] }
    },
    getPluginSettings: ({ id }, ctx) => ctx.services.pluginSettings.describe(id),
    setPluginSettings: ({ id, values }, ctx) => ctx.services.pluginSettings.set(id, values),
  },
  setup(ctx) {
    const settingsChanges = ctx.services.pluginSettings.onChange((id) => ctx.emit('pluginSettingsChanged', { id }))
    ctx.onDispose(() => settingsChanges.dispose())
    ctx.hooks.pluginStateChanged.tap('announce', (change) => {
      // Its own disabling is impossible (required), so the event always exists while this tap does.
      ctx.emit('pluginChanged', change)
    })
  },
})
