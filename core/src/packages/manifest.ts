/**
 * The `package.json` of a plugin package, read and checked (the format is specified in
 * plugin-sdk/PACKAGE-FORMAT.md):
 *
 *   { "name": "atomiton-plugin-notes", "version": "1.2.0", "type": "module",
 *     "atomiton": { "id": "notes", "entry": "dist/index.js", "api": "^1.0.0", "permissions": ["storage.get"] },
 *     "peerDependencies": { "@atomiton/plugin-sdk": "^1.0.0", "zod": "^4.0.0" } }
 *
 * Ranges are checked with `semver` (npm's own implementation, so a range means here what it means to npm).
 */
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import semver from 'semver'
import { z } from 'zod'
import { PLUGIN_API_VERSION } from '../plugin/api-version'
import { packageRefused } from './package-error'

/** What the host lends every package at run time; a package must not bring its own copy. */
export const HOST_PROVIDED = ['@atomiton/plugin-sdk', 'zod'] as const

const MAX_MANIFEST_BYTES = 1024 * 1024
const PLUGIN_ID = /^[a-z][a-zA-Z0-9]*$/

const Permission = z.string().min(1).max(200).regex(/^[a-zA-Z0-9_.*-]+$/, 'a permission: letters, digits, ".", "_", "-" or "*"')

const ManifestSchema = z.object({
  name: z.string().min(1).max(214),
  version: z.string().refine((version) => semver.valid(version) !== null, 'a semver version (1.2.3)'),
  description: z.string().max(2000).optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  atomiton: z.object({
    id: z.string().regex(PLUGIN_ID, 'a plugin id: a lowercase letter, then letters and digits').refine((id) => id !== 'rpc', '"rpc" is reserved'),
    entry: z.string().min(1).max(1024),
    api: z.string().min(1).max(200),
    permissions: z.array(Permission).max(200).default([]),
  }),
})

export interface PackageManifest {
  readonly name: string
  readonly version: string
  readonly description: string
  readonly id: string
  /** Absolute path of the built ESM entry, inside the package folder. */
  readonly entryFile: string
  readonly apiRange: string
  readonly permissions: readonly string[]
}

/** How a package is named in refusals before its manifest could be read. */
export function labelOf(manifest: Pick<PackageManifest, 'name' | 'version'> | undefined, fallback: string): string {
  return manifest ? `${manifest.name}@${manifest.version}` : fallback
}

/** Reads and checks `<folder>/package.json`; throws a refusal (`manifest`, `api-range`) naming the package. */
export async function readManifest(folder: string, fallbackLabel: string): Promise<PackageManifest> {
  const file = join(folder, 'package.json')
  let text: string
  try {
    const stats = await stat(file)
    if (!stats.isFile() || stats.size > MAX_MANIFEST_BYTES) throw new Error(`not a file of at most ${MAX_MANIFEST_BYTES} bytes`)
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw packageRefused(fallbackLabel, 'manifest', `package.json cannot be read (${messageOf(error)})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw packageRefused(fallbackLabel, 'manifest', `package.json is not valid JSON (${messageOf(error)})`)
  }
  const parsed = ManifestSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')
    const name = typeof (json as { name?: unknown } | null)?.name === 'string' ? (json as { name: string }).name : fallbackLabel
    throw packageRefused(name, 'manifest', `package.json is not a plugin package manifest (${issues})`)
  }
  const { name, version, description = '', dependencies = {}, atomiton } = parsed.data
  const label = `${name}@${version}`
  const bundled = Object.keys(dependencies)
  if (bundled.length > 0) {
    throw packageRefused(
      label,
      'manifest',
      `runtime "dependencies" are not installed (${bundled.join(', ')}): bundle them into the entry; ${HOST_PROVIDED.join(' and ')} are provided by the host as peers`,
    )
  }
  if (semver.validRange(atomiton.api) === null) {
    throw packageRefused(label, 'api-range', `atomiton.api "${atomiton.api}" is not a semver range`)
  }
  if (!semver.satisfies(PLUGIN_API_VERSION, atomiton.api)) {
    throw packageRefused(label, 'api-range', `it supports plugin API ${atomiton.api}; this host implements ${PLUGIN_API_VERSION}`)
  }
  const entryFile = resolve(folder, atomiton.entry)
  const inside = relative(folder, entryFile)
  if (isAbsolute(atomiton.entry) || inside.startsWith('..') || inside === '' || inside.split(sep).includes('node_modules')) {
    throw packageRefused(label, 'manifest', `atomiton.entry "${atomiton.entry}" must be a file inside the package`)
  }
  if (!/\.m?js$/.test(entryFile)) throw packageRefused(label, 'manifest', `atomiton.entry "${atomiton.entry}" must be built JavaScript (.js or .mjs)`)
  return {
    name,
    version,
    description,
    id: atomiton.id,
    entryFile,
    apiRange: atomiton.api,
    permissions: Object.freeze([...new Set(atomiton.permissions)].sort()),
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
