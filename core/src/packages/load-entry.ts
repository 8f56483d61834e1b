/**
 * Imports a package's built entry and checks that its default export is a plugin definition that matches
 * its manifest. A package is untrusted input: the export may be anything (a Proxy, an object with throwing
 * getters), so every read happens inside one try and any failure is a refusal naming the package.
 */
import { pathToFileURL } from 'node:url'
import { z } from 'zod'
import type { JsonSchema } from '../host/json-schema'
import type { AnyPluginDefinition } from '../plugin/definition'
import { messageOf, type PackageManifest } from './manifest'
import { packageRefused } from './package-error'

/** Each import gets a fresh URL: an upgrade in the same folder must not reuse the old module. */
let generation = 0

export interface LoadedPackage {
  readonly definition: AnyPluginDefinition
  readonly settingsSchema: JsonSchema | undefined
}

const isFunction = (value: unknown): boolean => typeof value === 'function'
const isSchema = (value: unknown): boolean => typeof value === 'object' && value !== null && '_zod' in value

function checkDefinition(candidate: unknown, manifest: PackageManifest): string | undefined {
  if (typeof candidate !== 'object' || candidate === null) return 'the entry has no default export of definePlugin({...})'
  const definition = candidate as Record<string, unknown>
  if (definition['kind'] !== 'plugin') return 'the default export is not made by definePlugin({...})'
  if (definition['id'] !== manifest.id) return `its id "${String(definition['id'])}" differs from atomiton.id "${manifest.id}"`
  if (definition['version'] !== manifest.version) return `its version "${String(definition['version'])}" differs from the package version "${manifest.version}"`
  if (definition['required'] !== false) return 'an installed package cannot be required (a person must be able to remove it)'
  const permissions = definition['permissions']
  if (!Array.isArray(permissions) || [...new Set(permissions as unknown[])].sort().join('\n') !== manifest.permissions.join('\n')) {
    return 'its permissions differ from atomiton.permissions (the person approves the manifest\'s list)'
  }
  const dependencies = definition['dependencies']
  if (!Array.isArray(dependencies) || !dependencies.every((d) => typeof d === 'string')) return 'its dependencies are not a list of plugin ids'
  for (const [name, procedure] of Object.entries(definition['procedures'] as Record<string, unknown>)) {
    const p = procedure as Record<string, unknown> | null
    if (p?.['kind'] !== 'procedure' || !isFunction(p['handler'])) return `"${name}" is not a procedure`
    if ((p['input'] !== undefined && !isSchema(p['input'])) || (p['output'] !== undefined && !isSchema(p['output']))) {
      return `"${name}" has an input or output that is not a zod schema`
    }
  }
  for (const [name, event] of Object.entries(definition['events'] as Record<string, unknown>)) {
    if (!isSchema((event as Record<string, unknown> | null)?.['payload'])) return `event "${name}" has no zod payload schema`
  }
  for (const [name, factory] of Object.entries(definition['services'] as Record<string, unknown>)) {
    if (!isFunction(factory)) return `service "${name}" is not a factory function`
  }
  for (const hook of ['setup', 'teardown']) {
    if (definition[hook] !== undefined && !isFunction(definition[hook])) return `${hook} is not a function`
  }
  return undefined
}

/**
 * Imports `manifest.entryFile` and validates its default export. Refusals: `entry-import` (missing file,
 * throws on import), `definition-invalid` (anything else wrong with the export).
 */
export async function loadPackageEntry(manifest: PackageManifest, label: string): Promise<LoadedPackage> {
  let module: Record<string, unknown>
  try {
    const url = `${pathToFileURL(manifest.entryFile).href}?atomiton=${++generation}`
    module = (await import(/* @vite-ignore */ url)) as Record<string, unknown>
  } catch (error) {
    throw packageRefused(label, 'entry-import', `its entry could not be imported (${messageOf(error)})`)
  }
  try {
    const candidate = module['default']
    const problem = checkDefinition(candidate, manifest)
    if (problem) throw packageRefused(label, 'definition-invalid', problem)
    const settings = (candidate as { settings?: unknown }).settings
    const settingsSchema = isSchema(settings)
      ? (z.toJSONSchema(settings as z.core.$ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema)
      : undefined
    return { definition: candidate as AnyPluginDefinition, settingsSchema }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(`Package ${label} refused`)) throw error
    throw packageRefused(label, 'definition-invalid', `its default export cannot be read (${messageOf(error)})`)
  }
}
