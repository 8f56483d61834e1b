/**
 * Per-plugin settings in the Settings view: each plugin that declares a settings schema gets a form. The
 * host describes it (`system.getPluginSettings`: JSON Schema, values, defaults, a notice when saved values
 * no longer fit), validates and saves it (`system.setPluginSettings`, INVALID_PARAMS with issues at
 * `values.<field>`, shown at their fields), and announces saves (`system.pluginSettingsChanged`), so a
 * form that is not being edited follows changes made elsewhere.
 */
import { defineStore } from 'pinia'
import { reactive } from 'vue'
import type { PluginSettingsState } from '../conductor'
import { issuesUnder, toErrorInfo, type ErrorInfo, type Issue } from '../lib/errors'
import { plain } from '../lib/plain'
import { useCatalogStore } from './catalog'
import { useConnectionStore } from './connection'

export interface SettingsForm {
  /** What the host said last (schema, saved values, defaults, notice). */
  described: PluginSettingsState | null
  /** What the form shows: the saved values, then the person's edits. */
  draft: Record<string, unknown>
  dirty: boolean
  loading: boolean
  saving: boolean
  /** The last failure (load or save); its field issues are in `issues`. */
  error: ErrorInfo | null
  /** Issues of the last refused save, with paths relative to the values (as the form places them). */
  issues: Issue[]
  /** Set after a successful save, until the next edit. */
  saved: boolean
}

function blank(): SettingsForm {
  return { described: null, draft: {}, dirty: false, loading: false, saving: false, error: null, issues: [], saved: false }
}

/** A deep copy without Vue's proxies, so the form never edits what the host answered and a save can cross the bridge. */
const copy = (values: Readonly<Record<string, unknown>>): Record<string, unknown> => plain({ ...values })

export const usePluginSettingsStore = defineStore('pluginSettings', () => {
  const connection = useConnectionStore()
  const catalog = useCatalogStore()
  const forms = reactive<Record<string, SettingsForm>>({})
  let following: (() => void) | undefined

  function form(id: string): SettingsForm {
    return (forms[id] ??= blank())
  }

  /** Loads (or reloads) a plugin's settings; keeps the person's edits unless `discard`. */
  async function load(id: string, options: { discard?: boolean } = {}): Promise<void> {
    const entry = form(id)
    entry.loading = true
    try {
      const described = await connection.api().system.settings(id)
      entry.described = described
      if (!entry.dirty || options.discard) {
        entry.draft = copy(described.values)
        entry.dirty = false
        entry.issues = []
      }
      if (entry.error?.code !== 'INVALID_PARAMS') entry.error = null
    } catch (caught) {
      entry.error = toErrorInfo(caught)
    } finally {
      entry.loading = false
    }
  }

  function edit(id: string, values: Record<string, unknown>): void {
    const entry = form(id)
    entry.draft = values
    entry.dirty = true
    entry.saved = false
  }

  async function save(id: string): Promise<boolean> {
    const entry = form(id)
    entry.saving = true
    entry.saved = false
    try {
      const result = await connection.api().system.saveSettings(id, copy(entry.draft))
      entry.draft = copy(result.values)
      entry.dirty = false
      entry.error = null
      entry.issues = []
      entry.saved = true
      await load(id)
      return true
    } catch (caught) {
      const info = toErrorInfo(caught)
      entry.error = info
      entry.issues = issuesUnder(info.issues, ['values'])
      return false
    } finally {
      entry.saving = false
    }
  }

  /** Puts the defaults in the form (saved only when the person saves). */
  function useDefaults(id: string): void {
    const defaults = form(id).described?.defaults
    if (defaults) edit(id, copy(defaults))
  }

  /** Throws the edits away and shows the saved values again. */
  function discard(id: string): Promise<void> {
    const entry = form(id)
    entry.error = null
    entry.issues = []
    return load(id, { discard: true })
  }

  /** Follows saves made elsewhere (another window, a script) for as long as the event exists. */
  function start(): void {
    following ??= catalog.follow('system.pluginSettingsChanged', ({ id }) => {
      if (forms[id]) void load(id)
    })
  }

  return { forms, form, load, edit, save, useDefaults, discard, start }
})
