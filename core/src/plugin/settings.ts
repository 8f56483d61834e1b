/**
 * Per-plugin settings, as a plugin declares and reads them.
 *
 *   definePlugin({ id: 'mail', settings: z.object({ retries: z.number().int().min(0).default(3) }), ... })
 *   setup(ctx) { ctx.settings.get().retries; ctx.settings.onChange((values) => ...) }
 *
 * The schema is a zod object whose every field has a default (`schema.parse({})` must succeed), so a plugin
 * always reads complete, typed values, even before anyone saved anything. It must be plain data that JSON
 * Schema can express (the Settings view renders it as a form). The host validates, persists and announces
 * changes (core/src/host/plugin-settings.ts); the plugin only reads.
 */
import { z } from 'zod'
import type { Disposable } from '../host/disposable'
import type { Schema } from './definition'

/** A settings schema: `z.object({...})` with a `.default()` on every field. */
export type SettingsSchema = z.core.$ZodObject

/** What `ctx.settings.get()` returns for a schema (nothing at all for a plugin without settings). */
export type SettingsOf<St> = St extends SettingsSchema ? Readonly<z.output<St>> : Readonly<Record<never, never>>

/** A plugin's view of its own settings. */
export interface PluginSettings<T> {
  /** The current values: validated, complete (defaults filled in) and frozen. */
  get(): T
  /** Called after the values changed (saved from the Settings view or by `system.setPluginSettings`); removed on disable. */
  onChange(listener: (values: T) => void): Disposable
}

/** Checks a settings schema when the plugin is defined, so a bad one fails at definition, not in the Settings view. */
export function checkSettingsSchema(pluginId: string, schema: unknown): SettingsSchema {
  const zod = (schema as { _zod?: { def?: { type?: unknown } } } | null | undefined)?._zod
  if (typeof schema !== 'object' || schema === null || zod?.def?.type !== 'object') {
    throw new TypeError(`Plugin "${pluginId}": settings must be a zod object schema (z.object({...}))`)
  }
  const objectSchema = schema as SettingsSchema
  const defaults = z.safeParse(objectSchema, {})
  if (!defaults.success) {
    const fields = [...new Set(defaults.error.issues.map((issue) => issue.path.join('.') || '(root)'))]
    throw new TypeError(`Plugin "${pluginId}": every settings field needs a .default(); missing or invalid for ${fields.join(', ')}`)
  }
  try {
    z.toJSONSchema(objectSchema as Schema, { io: 'input' })
  } catch (error) {
    throw new TypeError(
      `Plugin "${pluginId}": settings must be plain data JSON Schema can express (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    )
  }
  return objectSchema
}

/** What `system.getPluginSettings` answers: the form's schema, the values, the defaults and any notice. */
export interface PluginSettingsState {
  readonly id: string
  /** `z.toJSONSchema(schema, { io: 'input' })`: fields with defaults are optional, as a form expects. */
  readonly schema: Readonly<Record<string, unknown>>
  readonly values: Readonly<Record<string, unknown>>
  readonly defaults: Readonly<Record<string, unknown>>
  /** Set when the stored values no longer fit the schema (after an upgrade): the defaults are in use. */
  readonly notice?: string
}

/** Settings of every plugin, as the host offers them to privileged plugins (the Settings view goes through `system`). */
export interface PluginSettingsManager {
  /** NOT_FOUND for an unknown plugin or one without settings. */
  describe(id: string): PluginSettingsState
  /** Validates (INVALID_PARAMS with issues at `values.<field>`), persists and announces the new values. */
  set(id: string, values: unknown): { readonly id: string; readonly values: Readonly<Record<string, unknown>> }
  /** Forgets the stored values of a plugin (its uninstall with its data): the defaults apply again. */
  reset(id: string): boolean
  /** Hears every change of any plugin's settings (saved, reset). */
  onChange(listener: (id: string) => void): Disposable
}
