/**
 * Turns a plugin's source into an installed package for a test host that runs it in its own process
 * (`createTestHost({ plugins, isolate: { <id>: <module> } })`): the module is bundled with rolldown into one
 * ESM entry with `@atomiton/plugin-sdk` and `zod` left as bare imports (exactly as `npx atomiton plugin new`'s
 * build makes a package), written with its `package.json` into `<pluginsDir>/<id>/`, where the host loads it
 * at start like any installed package.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { rolldown } from 'rolldown'
import type { AnyPluginDefinition } from '@atomiton/core/plugin/definition'
import { PLUGIN_API_VERSION } from '@atomiton/core/plugin/api-version'
import { aliases } from '../../../aliases'

const ENTRY = '\0atomiton-isolated-entry'
const LENT = /^(@atomiton\/plugin-sdk|zod)(\/v4)?$/

/** The name under which `module` exports `definition` (the same object, or one with its id). */
async function exportNameOf(module: string, definition: AnyPluginDefinition): Promise<string> {
  const namespace = (await import(/* @vite-ignore */ module)) as Record<string, unknown>
  const names = Object.keys(namespace)
  const name =
    names.find((key) => namespace[key] === definition) ??
    names.find((key) => {
      const value = namespace[key] as { kind?: unknown; id?: unknown } | null
      return value?.kind === 'plugin' && value.id === definition.id
    })
  if (name === undefined) throw new TypeError(`${module} exports no plugin "${definition.id}" (createTestHost's isolate option)`)
  return name
}

export async function writeIsolatedPackage(pluginsDir: string, definition: AnyPluginDefinition, module: string | URL): Promise<void> {
  if (definition.required) throw new TypeError(`Plugin "${definition.id}" is required: an installed package (isolated) cannot be`)
  const path = module instanceof URL ? module.pathname : module
  const exportName = await exportNameOf(module instanceof URL ? module.href : pathToFileURL(module).href, definition)
  const folder = join(pluginsDir, definition.id)
  const bundle = await rolldown({
    input: ENTRY,
    platform: 'node',
    logLevel: 'silent',
    plugins: [
      {
        name: 'atomiton-isolated-package',
        resolveId(source, importer) {
          if (source === ENTRY) return ENTRY
          if (LENT.test(source)) return { id: source, external: true }
          for (const alias of aliases) {
            if (alias.find.test(source)) return this.resolve(source.replace(alias.find, alias.replacement), importer, { skipSelf: true })
          }
          return null
        },
        load(id) {
          return id === ENTRY ? `export { ${exportName} as default } from ${JSON.stringify(path)}` : null
        },
      },
    ],
  })
  await mkdir(join(folder, 'dist'), { recursive: true })
  await bundle.write({ file: join(folder, 'dist', 'index.js'), format: 'esm', codeSplitting: false })
  await bundle.close()
  const manifest = {
    name: `atomiton-plugin-${definition.id.toLowerCase()}`,
    version: definition.version,
    description: definition.description,
    type: 'module',
    atomiton: { id: definition.id, entry: 'dist/index.js', api: `^${PLUGIN_API_VERSION}`, permissions: [...definition.permissions] },
    peerDependencies: { '@atomiton/plugin-sdk': `^${PLUGIN_API_VERSION}`, zod: '^4.0.0' },
  }
  await writeFile(join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
}
